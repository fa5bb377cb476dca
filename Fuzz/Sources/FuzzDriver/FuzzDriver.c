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
/// Builds the text-folding tables (Sources/Localization), when the target links them.
extern void cityline_prepare_text_tables(void) __attribute__((weak));

int cityline_fuzz_main(int argc, char **argv) {
    // The first inputs build what lives as long as the process — the demo city, the geocoder's index, the text
    // folding tables behind Swift's lazy globals — and LeakSanitizer reports some of those allocations as leaks:
    // arrays held in a multi-payload enum (`ScalarFolding.Kind.letters`) are referenced through pointers whose spare
    // bits carry the enum's tag, which LSan does not recognise as pointers. So the target runs on a few plain inputs
    // (ASCII, full-width forms, the other scripts) before fuzzing, with leak detection off; every leak it reports
    // after that is one input's own.
    static const char *warmups[] = {"", "1423 Oak St", "\xef\xbc\x91\xef\xbc\x94 \xef\xbc\xaf\xef\xbd\x81\xef\xbd\x8b \xe8\xa1\x97 calle Ca\xc3\xb1" "a",
                                    "{\"type\":\"start\"}", "From: a@b.example\r\n\r\nhi\r\n",
                                    "\x01" "number,street,latitude,longitude\n1,Oak St,39.78,-89.65\n"};
    if (__lsan_disable) __lsan_disable();
    // Every table, not only those the plain inputs reach: open311-post's warm-ups are not forms, so its first
    // full-width address (in the corpus, with LSan on) built the full-width table and the exit check reported it.
    if (cityline_prepare_text_tables) cityline_prepare_text_tables();
    for (size_t i = 0; i < sizeof warmups / sizeof *warmups; i++) {
        LLVMFuzzerTestOneInput((const uint8_t *)warmups[i], strlen(warmups[i]));
    }
    if (__lsan_enable) __lsan_enable();
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
