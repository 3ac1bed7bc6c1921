#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tributary_fuzz::attribution_files::suffix_index(data));
