#include "FuzzDriver.h"
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs with a main of their own (linked by `-sanitize=fuzzer`).
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
/// The fuzz target, defined in Swift by `@_cdecl("LLVMFuzzerTestOneInput")`.
extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int cityline_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
