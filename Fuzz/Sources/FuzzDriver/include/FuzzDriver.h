#ifndef CITYLINE_FUZZ_DRIVER_H
#define CITYLINE_FUZZ_DRIVER_H

/// Runs libFuzzer on the target's `LLVMFuzzerTestOneInput` with the command line's arguments; its exit code.
/// (SwiftPM gives every executable a Swift entry point, so libFuzzer's own `main` is never linked: the target's
/// `@main` calls this instead.)
int cityline_fuzz_main(int argc, char **argv);

#endif
