//! Gradient sketch files: the projected loss gradient of every training row for one adapter,
//! stored beside the adapter and named by the blake2-256 of the file's bytes.
//!
//! Format version 1, all integers and floats little-endian:
//!
//! ```text
//! header, 208 bytes
//!   0   [u8; 8]   magic b"TRBINFSK"
//!   8   u32       format version (1)
//!   12  u32       reserved, 0
//!   16  [u8; 32]  base model hash (blake2-256 of model.safetensors)
//!   48  [u8; 32]  adapter hash (blake2-256 of adapter_model.safetensors)
//!   80  [u8; 32]  corpus id (as in attribution records)
//!   112 [u8; 32]  tokenizer id
//!   144 u64       projection seed
//!   152 u32       k, projection size per side
//!   156 u32       r, LoRA rank
//!   160 u32       M, adapted modules
//!   164 u32       reserved, 0
//!   168 u64       R, rows (>= 1)
//!   176 [u8; 32]  checksum: blake2-256(header bytes 0..176 ++ blake2-256(body))
//! body
//!   modules   M x (u32 layer, u32 module code, u32 in, u32 out)   16 bytes each, in gradient order
//!   rows      R x (u32 datanet, u64 row)                          12 bytes each, strictly sorted,
//!                                                                 zero-padded to a multiple of 8
//!   vectors   R x D f32, D = M * 2 * r * k                        row i's projected gradient
//! ```
//!
//! Module codes are indices into `TargetModule::ALL` (q, k, v, o, gate, up, down). The file's
//! identity (its content hash) is blake2-256 of all its bytes; [`sketch_path`] names it so.

use std::{
	fs,
	io::Write,
	path::{Path, PathBuf},
};
use tributary_primitives::hex;

use tributary_primitives::{
	attribution::RowRef, content_hash, training::TargetModule, ContentHash,
};

use super::projection::ModuleShape;
use crate::{
	error::AttributionError,
	format::{u32_at, u64_at},
};

pub const MAGIC: [u8; 8] = *b"TRBINFSK";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: usize = 208;
const CHECKSUM_AT: usize = 176;
const MODULE_ENTRY_LEN: usize = 16;
const ROW_ENTRY_LEN: usize = 12;
/// File name extension of sketch files.
pub const EXTENSION: &str = "influence";

/// What a sketch was computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SketchInputs {
	pub model: ContentHash,
	pub adapter: ContentHash,
	pub corpus: ContentHash,
	pub tokenizer: ContentHash,
	pub seed: u64,
	pub projection_dim: u32,
	pub rank: u32,
}

/// A loaded (or freshly built) sketch: one projected gradient per corpus row.
#[derive(Clone, Debug, PartialEq)]
pub struct InfluenceSketch {
	inputs: SketchInputs,
	modules: Vec<ModuleShape>,
	rows: Vec<RowRef>,
	/// R x D, row-major.
	vectors: Vec<f32>,
	/// blake2-256 of the file image (the image itself is not kept: it would double the memory).
	id: ContentHash,
}

/// `<adapter dir>/<hex of the sketch's content hash>.influence`.
pub fn sketch_path(adapter_dir: &Path, sketch_id: &ContentHash) -> PathBuf {
	adapter_dir.join(format!("{}.{EXTENSION}", hex::encode(sketch_id)))
}

fn padded(len: usize) -> usize {
	len.div_ceil(8) * 8
}

impl InfluenceSketch {
	/// Assemble a sketch; `vectors` holds `rows.len()` vectors of the length the modules imply.
	pub fn new(
		inputs: SketchInputs,
		modules: Vec<ModuleShape>,
		rows: Vec<RowRef>,
		vectors: Vec<f32>,
	) -> Self {
		let dimension = modules.len() * 2 * inputs.rank as usize * inputs.projection_dim as usize;
		assert_eq!(
			vectors.len(),
			rows.len() * dimension,
			"one vector of the modules' length per row"
		);
		let mut sketch = Self { inputs, modules, rows, vectors, id: [0; 32] };
		sketch.id = content_hash(&sketch.to_bytes());
		sketch
	}

	/// The file image.
	pub fn to_bytes(&self) -> Vec<u8> {
		let (inputs, modules, rows) = (&self.inputs, &self.modules, &self.rows);
		let mut body =
			Vec::with_capacity(self.vectors.len() * 4 + modules.len() * MODULE_ENTRY_LEN);
		for shape in modules {
			for field in [shape.layer, shape.module_code(), shape.in_features, shape.out_features] {
				body.extend_from_slice(&field.to_le_bytes());
			}
		}
		for row in rows {
			body.extend_from_slice(&row.datanet.to_le_bytes());
			body.extend_from_slice(&row.row.to_le_bytes());
		}
		body.resize(modules.len() * MODULE_ENTRY_LEN + padded(rows.len() * ROW_ENTRY_LEN), 0);
		for value in &self.vectors {
			body.extend_from_slice(&value.to_le_bytes());
		}
		let mut bytes = vec![0u8; HEADER_LEN];
		bytes[0..8].copy_from_slice(&MAGIC);
		bytes[8..12].copy_from_slice(&VERSION.to_le_bytes());
		bytes[16..48].copy_from_slice(&inputs.model);
		bytes[48..80].copy_from_slice(&inputs.adapter);
		bytes[80..112].copy_from_slice(&inputs.corpus);
		bytes[112..144].copy_from_slice(&inputs.tokenizer);
		bytes[144..152].copy_from_slice(&inputs.seed.to_le_bytes());
		bytes[152..156].copy_from_slice(&inputs.projection_dim.to_le_bytes());
		bytes[156..160].copy_from_slice(&inputs.rank.to_le_bytes());
		bytes[160..164].copy_from_slice(&(modules.len() as u32).to_le_bytes());
		bytes[168..176].copy_from_slice(&(rows.len() as u64).to_le_bytes());
		bytes.extend_from_slice(&body);
		seal(&mut bytes);
		bytes
	}

	/// The sketch's content hash: blake2-256 of its file bytes.
	pub fn id(&self) -> ContentHash {
		self.id
	}

	pub fn inputs(&self) -> &SketchInputs {
		&self.inputs
	}

	pub fn modules(&self) -> &[ModuleShape] {
		&self.modules
	}

	/// The rows, sorted.
	pub fn rows(&self) -> &[RowRef] {
		&self.rows
	}

	/// Length of each row's projected gradient.
	pub fn dimension(&self) -> usize {
		self.modules.len() * self.block_len()
	}

	/// Length of one module's block of a vector: `2·r·k`.
	pub fn block_len(&self) -> usize {
		2 * self.inputs.rank as usize * self.inputs.projection_dim as usize
	}

	/// The projected gradient of row `i` (in [`rows`](Self::rows) order).
	pub fn vector(&self, i: usize) -> &[f32] {
		let d = self.dimension();
		&self.vectors[i * d..(i + 1) * d]
	}

	/// Write the sketch into `adapter_dir` under its content hash (through a temporary file, so
	/// a crash never leaves half a sketch under the final name) and return the path.
	pub fn write_beside(&self, adapter_dir: &Path) -> Result<PathBuf, AttributionError> {
		let path = sketch_path(adapter_dir, &self.id());
		let io = |source| AttributionError::Io { path: path.clone(), source };
		let partial = path.with_extension("partial");
		let mut file = fs::File::create(&partial).map_err(io)?;
		file.write_all(&self.to_bytes()).map_err(io)?;
		file.sync_all().map_err(io)?;
		fs::rename(&partial, &path).map_err(io)?;
		Ok(path)
	}

	/// Read and fully check a sketch file, and refuse one made for another adapter.
	pub fn open(path: &Path, expected_adapter: ContentHash) -> Result<Self, AttributionError> {
		let bytes = fs::read(path)
			.map_err(|source| AttributionError::Io { path: path.to_path_buf(), source })?;
		let sketch = Self::parse(bytes, path)?;
		if sketch.inputs.adapter != expected_adapter {
			return Err(AttributionError::SketchAdapterMismatch {
				path: path.to_path_buf(),
				expected: expected_adapter,
				found: sketch.inputs.adapter,
			});
		}
		Ok(sketch)
	}

	/// Open the sketch `sketch_id` beside an adapter, checking that its bytes hash to that id.
	pub fn open_by_id(
		adapter_dir: &Path,
		sketch_id: ContentHash,
		expected_adapter: ContentHash,
	) -> Result<Self, AttributionError> {
		let path = sketch_path(adapter_dir, &sketch_id);
		let sketch = Self::open(&path, expected_adapter)?;
		if sketch.id() != sketch_id {
			return Err(AttributionError::CorruptSketch {
				path,
				reason: format!(
					"its bytes hash to {}, not to the id it is stored under",
					hex::encode(&sketch.id())
				),
			});
		}
		Ok(sketch)
	}

	fn parse(bytes: Vec<u8>, path: &Path) -> Result<Self, AttributionError> {
		let corrupt = |reason: &str| AttributionError::CorruptSketch {
			path: path.to_path_buf(),
			reason: reason.into(),
		};
		let truncated = |expected: u64| AttributionError::TruncatedSketch {
			path: path.to_path_buf(),
			expected,
			actual: bytes.len() as u64,
		};
		if bytes.len() >= 8 && bytes[0..8] != MAGIC {
			return Err(corrupt("not a Tributary influence sketch (bad magic)"));
		}
		if bytes.len() < HEADER_LEN {
			return Err(truncated(HEADER_LEN as u64));
		}
		let version = u32_at(&bytes, 8);
		if version != VERSION {
			return Err(AttributionError::UnsupportedSketchVersion {
				path: path.to_path_buf(),
				found: version,
				supported: VERSION,
			});
		}
		let hash = |at: usize| -> ContentHash { bytes[at..at + 32].try_into().expect("32 bytes") };
		let inputs = SketchInputs {
			model: hash(16),
			adapter: hash(48),
			corpus: hash(80),
			tokenizer: hash(112),
			seed: u64_at(&bytes, 144),
			projection_dim: u32_at(&bytes, 152),
			rank: u32_at(&bytes, 156),
		};
		if u32_at(&bytes, 12) != 0 || u32_at(&bytes, 164) != 0 {
			return Err(corrupt("reserved header fields are not zero"));
		}
		let module_count = u32_at(&bytes, 160) as u64;
		let row_count = u64_at(&bytes, 168);
		if inputs.projection_dim == 0 || inputs.rank == 0 || module_count == 0 || row_count == 0 {
			return Err(corrupt("the header announces an empty sketch"));
		}
		let dimension = module_count
			.checked_mul(2 * u64::from(inputs.rank))
			.and_then(|d| d.checked_mul(u64::from(inputs.projection_dim)))
			.ok_or_else(|| corrupt("the vector size in the header overflows"))?;
		let expected = (|| {
			let rows_len = row_count.checked_mul(ROW_ENTRY_LEN as u64)?.checked_add(7)? / 8 * 8;
			let vectors_len = row_count.checked_mul(dimension)?.checked_mul(4)?;
			(HEADER_LEN as u64 + module_count * MODULE_ENTRY_LEN as u64)
				.checked_add(rows_len)?
				.checked_add(vectors_len)
		})()
		.ok_or_else(|| corrupt("section sizes in the header overflow"))?;
		let actual = bytes.len() as u64;
		if actual < expected {
			return Err(truncated(expected));
		}
		if actual > expected {
			return Err(corrupt("trailing bytes after the vectors"));
		}
		if checksum(&bytes[..CHECKSUM_AT], &bytes[HEADER_LEN..]) != hash(CHECKSUM_AT) {
			return Err(corrupt("checksum mismatch: the file was damaged after it was written"));
		}

		let mut at = HEADER_LEN;
		let mut modules = Vec::with_capacity(module_count as usize);
		for _ in 0..module_count {
			let code = u32_at(&bytes, at + 4) as usize;
			let module =
				*TargetModule::ALL.get(code).ok_or_else(|| corrupt("unknown module code"))?;
			let shape = ModuleShape {
				layer: u32_at(&bytes, at),
				module,
				in_features: u32_at(&bytes, at + 8),
				out_features: u32_at(&bytes, at + 12),
			};
			if shape.in_features == 0 || shape.out_features == 0 {
				return Err(corrupt("a module has no features"));
			}
			modules.push(shape);
			at += MODULE_ENTRY_LEN;
		}
		let rows: Vec<RowRef> = (0..row_count as usize)
			.map(|i| {
				let entry = at + i * ROW_ENTRY_LEN;
				RowRef { datanet: u32_at(&bytes, entry), row: u64_at(&bytes, entry + 4) }
			})
			.collect();
		if rows.windows(2).any(|pair| pair[0] >= pair[1]) {
			return Err(corrupt("rows are not strictly sorted"));
		}
		let padding = at + rows.len() * ROW_ENTRY_LEN..at + padded(rows.len() * ROW_ENTRY_LEN);
		if bytes[padding].iter().any(|&byte| byte != 0) {
			return Err(corrupt("padding after the rows is not zero"));
		}
		at += padded(rows.len() * ROW_ENTRY_LEN);
		let vectors: Vec<f32> = bytes[at..]
			.chunks_exact(4)
			.map(|word| f32::from_le_bytes(word.try_into().expect("4 bytes")))
			.collect();
		if vectors.iter().any(|v| !v.is_finite()) {
			return Err(corrupt("a vector holds a non-finite value"));
		}
		let id = content_hash(&bytes);
		Ok(Self { inputs, modules, rows, vectors, id })
	}
}

/// Writes the checksum of a file image (every other header field and the body in place) into
/// its header; `image` holds at least the header.
pub fn seal(image: &mut [u8]) {
	let checksum = checksum(&image[..CHECKSUM_AT], &image[HEADER_LEN..]);
	image[CHECKSUM_AT..HEADER_LEN].copy_from_slice(&checksum);
}

fn checksum(header: &[u8], body: &[u8]) -> ContentHash {
	let mut covered = header.to_vec();
	covered.extend_from_slice(&content_hash(body));
	content_hash(&covered)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sample() -> InfluenceSketch {
		let inputs = SketchInputs {
			model: [1; 32],
			adapter: [2; 32],
			corpus: [3; 32],
			tokenizer: [4; 32],
			seed: 5,
			projection_dim: 2,
			rank: 1,
		};
		let modules = vec![ModuleShape {
			layer: 0,
			module: TargetModule::V,
			in_features: 3,
			out_features: 3,
		}];
		let rows = vec![
			RowRef { datanet: 0, row: 1 },
			RowRef { datanet: 2, row: 0 },
			RowRef { datanet: 2, row: 9 },
		];
		let vectors = (0..12).map(|i| i as f32 * 0.5 - 2.0).collect();
		InfluenceSketch::new(inputs, modules, rows, vectors)
	}

	#[test]
	fn file_round_trips_and_is_named_by_its_hash() {
		let dir = tempfile::tempdir().unwrap();
		let sketch = sample();
		let path = sketch.write_beside(dir.path()).unwrap();
		assert_eq!(path, sketch_path(dir.path(), &sketch.id()));
		assert_eq!(content_hash(&fs::read(&path).unwrap()), sketch.id());
		let opened = InfluenceSketch::open_by_id(dir.path(), sketch.id(), [2; 32]).unwrap();
		assert_eq!(opened, sketch);
		assert_eq!(opened.vector(2), &[2.0, 2.5, 3.0, 3.5]);
	}

	#[test]
	fn every_single_byte_flip_is_detected() {
		let bytes = sample().to_bytes();
		for at in 0..bytes.len() {
			let mut damaged = bytes.clone();
			damaged[at] ^= 0x10;
			let err = InfluenceSketch::parse(damaged, Path::new("x"))
				.expect_err("damage must be detected");
			assert!(
				matches!(
					err,
					AttributionError::CorruptSketch { .. }
						| AttributionError::TruncatedSketch { .. }
						| AttributionError::UnsupportedSketchVersion { .. }
				),
				"byte {at}: {err}"
			);
		}
	}
}
