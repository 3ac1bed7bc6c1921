//! Frozen base weights stored quantized and dequantized in the forward pass (QLoRA).
//!
//! - NF4: 4-bit NormalFloat (Dettmers et al., 2023): each block of [`NF4_BLOCK`] weights is divided
//!   by its absolute maximum and every value is replaced by the index of the nearest of the 16
//!   published NF4 code values; two indices are packed per byte.
//! - int8: one scale per output channel (row), `scale = absmax / 127`, values rounded to i8.

use tch::{Kind, Tensor};
use tributary_primitives::training::QuantFormat;

/// The 16 NF4 code values, as published with QLoRA (quantiles of N(0, 1), normalised to [-1, 1]).
pub const NF4_CODES: [f32; 16] = [
	-1.0,
	-0.696_192_8,
	-0.525_073_05,
	-0.394_917_5,
	-0.284_441_38,
	-0.184_773_43,
	-0.091_050_036,
	0.0,
	0.079_580_3,
	0.160_930_2,
	0.246_112_3,
	0.337_915_24,
	0.440_709_83,
	0.562_617,
	0.722_956_84,
	1.0,
];

/// Weights per NF4 absmax block.
pub const NF4_BLOCK: i64 = 64;

/// Blocks quantized at once, bounding the temporary [blocks, 64, 16] distance tensor.
const NF4_CHUNK_BLOCKS: i64 = 16_384;

/// The largest distance between two adjacent NF4 codes: the worst-case rounding error per unit of
/// block absmax is half of it.
pub fn nf4_max_code_gap() -> f32 {
	NF4_CODES.windows(2).map(|w| w[1] - w[0]).fold(0.0, f32::max)
}

/// A weight matrix stored as NF4.
#[derive(Debug)]
pub struct Nf4Weight {
	/// Two 4-bit code indices per byte, high nibble first: [ceil(numel / 2)] u8.
	packed: Tensor,
	/// One absmax per block: [blocks] f32.
	absmax: Tensor,
	shape: Vec<i64>,
	kind: Kind,
}

impl Nf4Weight {
	pub fn quantize(weight: &Tensor) -> Nf4Weight {
		tch::no_grad(|| {
			let device = weight.device();
			let numel = weight.numel() as i64;
			let blocks = (numel + NF4_BLOCK - 1) / NF4_BLOCK;
			let flat = weight.detach().to_kind(Kind::Float).reshape([numel]);
			let padded = Tensor::cat(
				&[flat, Tensor::zeros([blocks * NF4_BLOCK - numel], (Kind::Float, device))],
				0,
			)
			.reshape([blocks, NF4_BLOCK]);
			let absmax = padded.abs().amax([1], false);
			// An all-zero block quantizes to code 0.0 whatever its scale; 1.0 avoids 0/0.
			let safe_absmax = absmax.where_scalarother(&absmax.gt(0.0), 1.0);
			let normalised = &padded / safe_absmax.unsqueeze(1);
			let codes = Tensor::from_slice(&NF4_CODES[..]).to_device(device);
			let mut indices = Vec::new();
			let mut start = 0;
			while start < blocks {
				let len = NF4_CHUNK_BLOCKS.min(blocks - start);
				let chunk = normalised.narrow(0, start, len).unsqueeze(-1);
				indices.push((chunk - &codes).abs().argmin(-1, false).to_kind(Kind::Uint8));
				start += len;
			}
			let indices = Tensor::cat(&indices, 0).reshape([blocks * NF4_BLOCK / 2, 2]);
			let packed = indices.select(1, 0) * 16 + indices.select(1, 1);
			Nf4Weight { packed, absmax, shape: weight.size(), kind: weight.kind() }
		})
	}

	pub fn dequantize(&self) -> Tensor {
		let device = self.packed.device();
		let high = self.packed.floor_divide_scalar(16);
		let low = self.packed.remainder(16);
		let indices = Tensor::stack(&[high, low], 1).reshape([-1]).to_kind(Kind::Int64);
		let codes = Tensor::from_slice(&NF4_CODES[..]).to_device(device);
		let numel: i64 = self.shape.iter().product();
		let values =
			codes.index_select(0, &indices).reshape([-1, NF4_BLOCK]) * self.absmax.unsqueeze(1);
		values
			.reshape([-1])
			.narrow(0, 0, numel)
			.reshape(self.shape.as_slice())
			.to_kind(self.kind)
	}

	pub fn stored_bytes(&self) -> usize {
		self.packed.numel() + self.absmax.numel() * 4
	}
}

/// A weight matrix [out, in] stored as int8 with one scale per output channel.
#[derive(Debug)]
pub struct Int8Weight {
	/// [out, in] i8.
	values: Tensor,
	/// [out] f32: absmax / 127 of each row.
	scales: Tensor,
	kind: Kind,
}

impl Int8Weight {
	pub fn quantize(weight: &Tensor) -> Int8Weight {
		tch::no_grad(|| {
			let w = weight.detach().to_kind(Kind::Float);
			let scales = w.abs().amax([1], false) / 127.0;
			let safe_scales = scales.where_scalarother(&scales.gt(0.0), 1.0);
			let values =
				(&w / safe_scales.unsqueeze(1)).round().clamp(-127.0, 127.0).to_kind(Kind::Int8);
			Int8Weight { values, scales, kind: weight.kind() }
		})
	}

	pub fn dequantize(&self) -> Tensor {
		(self.values.to_kind(Kind::Float) * self.scales.unsqueeze(1)).to_kind(self.kind)
	}

	pub fn stored_bytes(&self) -> usize {
		self.values.numel() + self.scales.numel() * 4
	}
}

/// A frozen weight matrix in one of the storage formats.
#[derive(Debug)]
pub enum FrozenWeight {
	Full(Tensor),
	Nf4(Nf4Weight),
	Int8(Int8Weight),
}

impl FrozenWeight {
	pub fn quantize(weight: &Tensor, format: QuantFormat) -> FrozenWeight {
		match format {
			QuantFormat::Nf4 => FrozenWeight::Nf4(Nf4Weight::quantize(weight)),
			QuantFormat::Int8 => FrozenWeight::Int8(Int8Weight::quantize(weight)),
		}
	}

	/// The weight as a full-precision tensor (a shallow copy when it is stored that way).
	pub fn dequantize(&self) -> Tensor {
		match self {
			FrozenWeight::Full(w) => w.shallow_clone(),
			FrozenWeight::Nf4(q) => q.dequantize(),
			FrozenWeight::Int8(q) => q.dequantize(),
		}
	}

	/// Bytes the stored form occupies (values plus scales).
	pub fn stored_bytes(&self) -> usize {
		match self {
			FrozenWeight::Full(w) => w.numel() * w.kind().elt_size_in_bytes(),
			FrozenWeight::Nf4(q) => q.stored_bytes(),
			FrozenWeight::Int8(q) => q.stored_bytes(),
		}
	}

	/// Bytes the same weight takes in fp32.
	pub fn fp32_bytes(&self) -> usize {
		let numel: i64 = match self {
			FrozenWeight::Full(w) => w.numel() as i64,
			FrozenWeight::Nf4(q) => q.shape.iter().product(),
			FrozenWeight::Int8(q) => q.values.numel() as i64,
		};
		numel as usize * 4
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tch::Device;

	fn sample_weight(rows: i64, cols: i64, seed: i64) -> Tensor {
		tch::manual_seed(seed);
		// Heavy-tailed rows with very different scales stress the per-block and per-row scaling.
		let scales = Tensor::linspace(0.01, 3.0, rows, (Kind::Float, Device::Cpu)).unsqueeze(1);
		Tensor::randn([rows, cols], (Kind::Float, Device::Cpu)).pow_tensor_scalar(3) * scales
	}

	#[test]
	fn nf4_error_is_within_half_the_largest_code_gap_times_block_absmax() {
		// 37 * 50 = 1850 values: not a multiple of the block, so the padded tail is exercised.
		let w = sample_weight(37, 50, 1);
		let q = Nf4Weight::quantize(&w);
		let restored = q.dequantize();
		assert_eq!(restored.size(), w.size());
		let flat = w.reshape([-1]);
		let numel = flat.numel() as i64;
		let blocks = (numel + NF4_BLOCK - 1) / NF4_BLOCK;
		let padded = Tensor::cat(
			&[
				flat.shallow_clone(),
				Tensor::zeros([blocks * NF4_BLOCK - numel], (Kind::Float, Device::Cpu)),
			],
			0,
		);
		let absmax = padded.reshape([blocks, NF4_BLOCK]).abs().amax([1], false);
		let per_element_absmax =
			absmax.repeat_interleave_self_int(NF4_BLOCK, 0, None::<i64>).narrow(0, 0, numel);
		let bound = per_element_absmax * (nf4_max_code_gap() as f64 / 2.0) + 1e-6;
		let err = (restored.reshape([-1]) - &flat).abs();
		let violations = i64::try_from(err.gt_tensor(&bound).sum(Kind::Int64)).unwrap();
		assert_eq!(violations, 0, "NF4 error above bound");
		// The block absmax itself is a code (±1.0) and is restored exactly.
		let max_err_at_absmax = f64::try_from(
			(restored.reshape([-1]).abs().amax([0], false) - flat.abs().amax([0], false)).abs(),
		)
		.unwrap();
		assert!(max_err_at_absmax < 1e-5);
		// Stored form: half a byte per weight plus a 4-byte scale per 64 weights.
		assert_eq!(q.stored_bytes(), (blocks * NF4_BLOCK / 2 + blocks * 4) as usize);
	}

	#[test]
	fn int8_error_is_within_half_a_step_of_each_channel() {
		let w = sample_weight(24, 40, 2);
		let q = Int8Weight::quantize(&w);
		let restored = q.dequantize();
		let absmax = w.abs().amax([1], true);
		let bound = absmax / 127.0 / 2.0 + 1e-6;
		let err = (&restored - &w).abs();
		let violations = i64::try_from(err.gt_tensor(&bound).sum(Kind::Int64)).unwrap();
		assert_eq!(violations, 0, "int8 error above bound");
		assert_eq!(q.stored_bytes(), 24 * 40 + 24 * 4);
	}

	#[test]
	fn quantized_storage_is_well_under_fp32() {
		let w = sample_weight(128, 256, 3);
		for format in [QuantFormat::Nf4, QuantFormat::Int8] {
			let frozen = FrozenWeight::quantize(&w, format);
			let ratio = frozen.stored_bytes() as f64 / frozen.fp32_bytes() as f64;
			assert!(ratio <= 0.3, "{format:?} stores {ratio} of fp32");
		}
	}

	#[test]
	fn zero_weights_survive_quantization() {
		let w = Tensor::zeros([4, 64], (Kind::Float, Device::Cpu));
		for format in [QuantFormat::Nf4, QuantFormat::Int8] {
			let restored = FrozenWeight::quantize(&w, format).dequantize();
			assert_eq!(f64::try_from(restored.abs().sum(Kind::Float)).unwrap(), 0.0);
		}
	}
}
