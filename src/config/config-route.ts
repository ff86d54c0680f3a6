// GET /config shows the configuration (never the token); POST or PUT with a JSON
// object changes some fields of it (both are partial updates): validated all or
// nothing, applied, persisted. The answer says `persisted: true` only once the
// stored copy was read back and matched (see config-store.ts).
import { Device } from "../device"
import { Connection } from "../http/connection"
import { HttpRequest } from "../http/request-parser"
import { applyConfigPatch, publicConfig } from "./device-config"
import { AUTH_LOCKED, AUTH_MISSING, AUTH_OK } from "./auth-guard"

export function configHandler(dev: Device) {
    return async (req: HttpRequest, conn: Connection) => {
        const server = dev.server
        const json = (status: number, body: any, extra: string[]) =>
            server.respond(conn, status, "application/json", JSON.stringify(body) + "\n", extra, req.method === "HEAD")
        if (req.method === "GET" || req.method === "HEAD") return json(200, publicConfig(dev.config), [])

        const auth = dev.authGuard.check(dev.config.adminToken, req.headers["authorization"])
        if (auth === AUTH_LOCKED) {
            const s = dev.authGuard.lockoutSeconds()
            return server.fail(conn, 429, `too many failed attempts; try again in ${s} s`, [`Retry-After: ${s}`])
        }
        if (auth !== AUTH_OK)
            return server.fail(conn, 401, auth === AUTH_MISSING
                ? "changing the configuration needs 'Authorization: Bearer <admin token>'"
                : "the admin token is wrong", ["WWW-Authenticate: Bearer realm=\"network-mic\""])

        const text = req.body.toString()
        if (!text.trim().length) return server.fail(conn, 400, "empty body: send a JSON object, e.g. {\"maxStreams\": 2}")
        let patch: any
        try {
            patch = JSON.parse(text)
        } catch (e) {
            return server.fail(conn, 400, "the body is not valid JSON: send a JSON object, e.g. {\"maxStreams\": 2}")
        }
        const r = applyConfigPatch(dev.config, patch, dev.streamsLimit)
        if (r.error) return server.fail(conn, 400, r.error)
        const outcome = await dev.applyConfig(r.next, r.changed)
        json(200, {
            applied: r.changed,
            restartedAudio: outcome.restartedAudio,
            closedStreams: outcome.closedStreams,
            persisted: outcome.persisted,
            config: publicConfig(dev.config),
        }, [])
    }
}
