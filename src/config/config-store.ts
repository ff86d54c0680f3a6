// Persistence of the configuration with @devicescript/settings (the board's
// flash; in the simulator, the VM's flash file under --state-dir).
//
// A settings write is a Jacdac command to the runtime's own settings service:
// `writeSetting` returns once the command is queued, not once it is in flash,
// and a queued command can still be dropped (the runtime's send queue overflows
// under load). So saveConfig reads the value back before it says "persisted":
// the settings service answers commands in order, so a read-back that matches
// proves the write reached flash. A device that answered "persisted" and then
// lost the change at the next power cut is the failure this prevents.
import { readSetting, writeSetting } from "@devicescript/settings"
import { DeviceConfig, sanitizeStoredConfig } from "./device-config"

/** Settings key (at most 13 characters). */
const CONFIG_KEY = "config"

/** Write-and-verify attempts before saveConfig reports that the change did not persist. */
export const SAVE_ATTEMPTS = 3

/** The stored configuration, re-validated against this board's stream limit. */
export async function loadConfig(streamsLimit: number): Promise<DeviceConfig> {
    const stored = await readSetting<any>(CONFIG_KEY, null)
    return sanitizeStoredConfig(stored, streamsLimit)
}

/** Writes the configuration and reads it back; true once the stored copy matches. */
export async function saveConfig(c: DeviceConfig): Promise<boolean> {
    const wanted = JSON.stringify(c)
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
        await writeSetting(CONFIG_KEY, c)
        const stored = await readSetting<any>(CONFIG_KEY, null)
        if (stored !== null && JSON.stringify(stored) === wanted) return true
    }
    return false
}
