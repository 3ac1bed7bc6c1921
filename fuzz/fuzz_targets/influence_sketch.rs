#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tributary_fuzz::attribution_files::influence_sketch(
	data
));
