// Entry point for the real board: the same firmware, compiled against the
// ESP32-S3 + INMP441 board config in boards/ (its pins name the microphone's
// I2S lines). `npm run build` builds this too, so the firmware always builds for
// its real target.
import "@dsboard/esp32s3_inmp441"
import "./main"
