fn main() {
	tributary_torch_link::link_libtorch_cuda();
}
