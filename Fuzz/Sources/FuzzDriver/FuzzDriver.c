#include "FuzzDriver.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/// libFuzzer's entry point for programs with a main of their own (linked by `-sanitize=fuzzer`).
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
/// The fuzz target, defined in Swift by `@_cdecl("LLVMFuzzerTestOneInput")`.
extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/// LeakSanitizer's switches (present with `-sanitize=address`).
extern void __lsan_disable(void) __attribute__((weak));
extern void __lsan_enable(void) __attribute__((weak));

int cityline_fuzz_main(int argc, char **argv) {
    // The first inputs build what lives as long as the process — the demo city, the geocoder's index, the text
    // tables behind Swift's lazy globals — and LeakSanitizer reports those allocations as leaks (it does not follow
    // every reference Swift keeps to them). So the target runs once on a few plain inputs before fuzzing, with leak
    // detection off; every leak it reports after that is one input's own.
    static const char *warmups[] = {"", "1423 Oak St", "{\"type\":\"start\"}", "From: a@b.example\r\n\r\nhi\r\n",
                                    "\x01" "number,street,latitude,longitude\n1,Oak St,39.78,-89.65\n"};
    if (__lsan_disable) __lsan_disable();
    for (size_t i = 0; i < sizeof warmups / sizeof *warmups; i++) {
        LLVMFuzzerTestOneInput((const uint8_t *)warmups[i], strlen(warmups[i]));
    }
    if (__lsan_enable) __lsan_enable();
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
