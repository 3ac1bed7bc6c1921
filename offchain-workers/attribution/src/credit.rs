//! Credit to the first contributor: a row that repeats an earlier row up to small edits earns
//! nothing of its own; what it would have earned goes to the earlier row.
//!
//! Without this, copying a popular row with one byte changed registers a new row, and every
//! method then splits the original contributor's credit with the copier. The owners are found
//! with tributary-dedup's detector over the corpus in canonical order (`(datanet, row)`: within a
//! datanet, contribution order), each row compared with the rows before it; a duplicate of a
//! duplicate belongs to the first. The detector is deterministic, so every validator
//! recomputing a record finds the same owners.
//!
//! Methods use the owners differently: span attribution counts a span's occurrences in a row
//! and its copies once for its rarity and credits them to the owner (see [`crate::span`]); RAG
//! and influence scores of duplicates are added to their owners' ([`CreditOwners::merge`]).

use std::collections::BTreeMap;

use tributary_dedup::{NearDuplicateIndex, Params};
use tributary_primitives::attribution::{RowRef, RowScore};

use crate::corpus::VerifiedCorpus;

/// Which earlier row each near-duplicate row of a corpus is credited to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreditOwners {
	owner_of: BTreeMap<RowRef, RowRef>,
}

impl CreditOwners {
	/// The owners of `corpus`'s rows under the protocol's detector ([`Params::DEFAULT`]).
	pub fn of(corpus: &VerifiedCorpus) -> CreditOwners {
		let mut index = NearDuplicateIndex::new(Params::DEFAULT);
		let mut owner_of = BTreeMap::new();
		for row in corpus.rows() {
			let shingles = index.shingles(&row.bytes);
			if let Some(found) = index.find_original(&row.row, &shingles) {
				let owner = owner_of.get(&found.original).copied().unwrap_or(found.original);
				owner_of.insert(row.row, owner);
			}
			index.insert(row.row, shingles);
		}
		CreditOwners { owner_of }
	}

	/// No row is anyone's duplicate (for corpora known to be distinct, and tests).
	pub fn none() -> CreditOwners {
		CreditOwners::default()
	}

	/// The row credited for `row`: itself, or the earlier row it repeats.
	pub fn owner(&self, row: RowRef) -> RowRef {
		self.owner_of.get(&row).copied().unwrap_or(row)
	}

	/// Whether `row` repeats an earlier row.
	pub fn is_duplicate(&self, row: RowRef) -> bool {
		self.owner_of.contains_key(&row)
	}

	/// The duplicates and the rows they are credited to.
	pub fn duplicates(&self) -> impl Iterator<Item = (RowRef, RowRef)> + '_ {
		self.owner_of.iter().map(|(&row, &owner)| (row, owner))
	}

	/// `scores` with each duplicate's score added to its owner's, sorted by row.
	pub fn merge(&self, scores: Vec<RowScore>) -> Vec<RowScore> {
		let mut merged: BTreeMap<RowRef, u32> = BTreeMap::new();
		for score in scores {
			let total = merged.entry(self.owner(score.row)).or_default();
			*total = total.saturating_add(score.parts_per_billion);
		}
		merged
			.into_iter()
			.map(|(row, parts_per_billion)| RowScore { row, parts_per_billion })
			.filter(|score| score.parts_per_billion > 0)
			.collect()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::corpus::CorpusRow;
	use tributary_primitives::content_hash;

	fn corpus(rows: &[(u32, u64, &str)]) -> VerifiedCorpus {
		VerifiedCorpus::verify(
			rows.iter()
				.map(|&(datanet, row, text)| CorpusRow {
					row: RowRef { datanet, row },
					claimed_hash: content_hash(text.as_bytes()),
					bytes: text.as_bytes().to_vec(),
				})
				.collect(),
		)
		.unwrap()
	}

	const ORIGINAL: &str = "The river Quill rises in the Harrow hills and reaches the sea at \
		Quillhaven after two hundred miles";

	#[test]
	fn copies_and_copies_of_copies_belong_to_the_first_row() {
		let copy = ORIGINAL.replace("Harrow", "Harrov");
		let copy_of_copy = copy.to_uppercase();
		let corpus = corpus(&[
			(1, 4, &copy_of_copy),
			(1, 2, &copy),
			(1, 0, ORIGINAL),
			(1, 1, "Bread is baked at dawn in the old town of Merrow by the guild of millers"),
		]);
		let owners = CreditOwners::of(&corpus);
		let first = RowRef { datanet: 1, row: 0 };
		assert_eq!(owners.owner(RowRef { datanet: 1, row: 2 }), first);
		assert_eq!(owners.owner(RowRef { datanet: 1, row: 4 }), first);
		assert!(!owners.is_duplicate(RowRef { datanet: 1, row: 1 }));
		assert_eq!(owners.duplicates().count(), 2);

		let merged = owners.merge(vec![
			RowScore { row: RowRef { datanet: 1, row: 1 }, parts_per_billion: 5 },
			RowScore { row: first, parts_per_billion: 10 },
			RowScore { row: RowRef { datanet: 1, row: 2 }, parts_per_billion: 20 },
			RowScore { row: RowRef { datanet: 1, row: 4 }, parts_per_billion: 30 },
		]);
		assert_eq!(
			merged,
			vec![
				RowScore { row: first, parts_per_billion: 60 },
				RowScore { row: RowRef { datanet: 1, row: 1 }, parts_per_billion: 5 },
			]
		);
	}
}
