// Persistence of the configuration with @devicescript/settings (the board's
// flash; in the simulator, the VM's flash file under --state-dir).
import { readSetting, writeSetting } from "@devicescript/settings"
import { DeviceConfig, sanitizeStoredConfig } from "./device-config"

/** Settings key (at most 13 characters). */
const CONFIG_KEY = "config"

/** The stored configuration, re-validated against this board's stream limit. */
export async function loadConfig(streamsLimit: number): Promise<DeviceConfig> {
    const stored = await readSetting<any>(CONFIG_KEY, null)
    return sanitizeStoredConfig(stored, streamsLimit)
}

export async function saveConfig(c: DeviceConfig) {
    await writeSetting(CONFIG_KEY, c)
}
