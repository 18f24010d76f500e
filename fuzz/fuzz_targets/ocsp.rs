#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyway::fuzzing::ocsp(data));
