#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keyway::fuzzing::tls12_key_exchange(data));
