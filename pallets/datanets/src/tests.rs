//! Unit tests of every call: success paths with their events and balance effects, every `Error`
//! variant (each through `assert_noop!`, which also checks that storage is unchanged), and the
//! bounds of bounded inputs.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
	BoundedVec,
};
use sp_runtime::{DispatchError, TokenError};
use tributary_primitives::traits::{ContributorReputationInspect, DatanetsInspect};
use tributary_primitives::{
	content_hash,
	datanets::{
		merkle_root, ChallengeKind, ContributorReputation, DatanetId, RejectReason, RowId,
		RowStatus, VersionSummary, Visibility,
	},
	rewards::SlashKind,
};

fn bounded<S: Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
	bytes.to_vec().try_into().expect("test input within bound")
}

fn tags(list: &[&[u8]]) -> TagsOf<Test> {
	list.iter().map(|tag| bounded(tag)).collect::<Vec<_>>().try_into().unwrap()
}

fn create(owner: AccountId, name: &[u8], visibility: Visibility) -> DatanetId {
	let id = NextDatanetId::<Test>::get();
	assert_ok!(Datanets::create_datanet(
		RuntimeOrigin::signed(owner),
		bounded(name),
		bounded(b"medical QA"),
		bounded(b"# Medical QA\nCurated answers."),
		tags(&[b"medical", b"qa"]),
		bounded(b"CC-BY-4.0"),
		visibility,
	));
	id
}

/// A row whose content is `text`, with its real length and hash.
fn row(text: &str) -> RowInputOf<Test> {
	RowInput {
		content_hash: content_hash(text.as_bytes()),
		byte_len: text.len() as u32,
		label: Some(bounded(b"qa")),
	}
}

fn rows(ids: &[RowId]) -> RowIdsOf<Test> {
	ids.to_vec().try_into().unwrap()
}

fn contribute(who: AccountId, datanet: DatanetId, text: &str) -> RowId {
	contribute_declaring(who, datanet, text, text.len() as u32)
}

/// A row whose contributor declares `byte_len`, whatever the text's length.
fn contribute_declaring(who: AccountId, datanet: DatanetId, text: &str, byte_len: u32) -> RowId {
	let id = Datanets::datanet(datanet).unwrap().next_row_id;
	let input = RowInput { byte_len, ..row(text) };
	assert_ok!(Datanets::contribute(RuntimeOrigin::signed(who), datanet, input));
	id
}

fn held(reason: HoldReason, who: AccountId) -> Balance {
	Balances::balance_on_hold(&reason.into(), &who)
}

fn free(who: AccountId) -> Balance {
	Balances::balance(&who)
}

fn deposit_of(text: &str) -> Balance {
	ROW_DEPOSIT_BASE + ROW_DEPOSIT_PER_BYTE * text.len() as Balance
}

/// A public datanet of `OWNER` with `CURATOR`, and ALICE's rows "r0".."r{n-1}" approved and
/// published as version 1.
fn published_datanet(n: usize) -> (DatanetId, Vec<RowId>) {
	let datanet = create(OWNER, b"med", Visibility::Public);
	assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
	let ids: Vec<RowId> = (0..n).map(|i| contribute(ALICE, datanet, &format!("r{i}"))).collect();
	assert_ok!(Datanets::approve(RuntimeOrigin::signed(CURATOR), datanet, rows(&ids)));
	assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet));
	(datanet, ids)
}

#[test]
fn create_datanet_holds_deposit_and_indexes_name() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		assert_eq!(datanet, 0);
		System::assert_last_event(
			Event::DatanetCreated { datanet, owner: OWNER, name: bounded(b"med") }.into(),
		);
		assert_eq!(held(HoldReason::DatanetDeposit, OWNER), DATANET_DEPOSIT);
		assert_eq!(free(OWNER), INITIAL_BALANCE - DATANET_DEPOSIT);
		assert_eq!(
			DatanetIdByName::<Test>::get(OWNER, NameOf::<Test>::from(bounded(b"med"))),
			Some(0)
		);
		let view = Datanets::datanet_view(datanet).unwrap();
		assert_eq!(view.owner, OWNER);
		assert_eq!(view.name, b"med".to_vec());
		assert_eq!(view.tags, vec![b"medical".to_vec(), b"qa".to_vec()]);
		assert_eq!(view.license, b"CC-BY-4.0".to_vec());
		assert_eq!(view.creation_deposit, DATANET_DEPOSIT);
		// Another owner may reuse the name; ids are sequential.
		assert_eq!(create(ALICE, b"med", Visibility::Private), 1);
	});
}

#[test]
fn create_datanet_accepts_inputs_at_their_bounds() {
	build_and_execute(|| {
		let long_tag = vec![b't'; MAX_TAG_LEN as usize];
		let all_tags: Vec<&[u8]> = (0..MAX_TAGS).map(|_| long_tag.as_slice()).collect();
		assert_ok!(Datanets::create_datanet(
			RuntimeOrigin::signed(OWNER),
			bounded(&vec![b'n'; MAX_NAME_LEN as usize]),
			bounded(&vec![b's'; MAX_SUMMARY_LEN as usize]),
			bounded(&vec![b'd'; MAX_DESCRIPTION_LEN as usize]),
			tags(&all_tags),
			bounded(&vec![b'l'; MAX_LICENSE_LEN as usize]),
			Visibility::Public,
		));
		assert_eq!(
			Datanets::datanet_view(0).unwrap().description.len(),
			MAX_DESCRIPTION_LEN as usize
		);
	});
}

#[test]
fn inputs_over_their_bounds_cannot_be_built_or_decoded() {
	assert!(NameOf::<Test>::try_from(vec![b'n'; MAX_NAME_LEN as usize + 1]).is_err());
	assert!(SummaryOf::<Test>::try_from(vec![0; MAX_SUMMARY_LEN as usize + 1]).is_err());
	assert!(DescriptionOf::<Test>::try_from(vec![0; MAX_DESCRIPTION_LEN as usize + 1]).is_err());
	assert!(LicenseOf::<Test>::try_from(vec![0; MAX_LICENSE_LEN as usize + 1]).is_err());
	assert!(LabelOf::<Test>::try_from(vec![0; MAX_LABEL_LEN as usize + 1]).is_err());
	let too_many_tags: Vec<BoundedVec<u8, _>> = (0..=MAX_TAGS).map(|_| bounded(b"t")).collect();
	assert!(TagsOf::<Test>::try_from(too_many_tags).is_err());
	let too_many_rows: Vec<RowInputOf<Test>> =
		(0..=MAX_BATCH).map(|i| row(&format!("{i}"))).collect();
	assert!(RowInputsOf::<Test>::try_from(too_many_rows).is_err());

	// A call whose name is one byte too long, encoded by a client that ignores the bound, is
	// refused when the runtime decodes it.
	let valid = RuntimeCall::Datanets(Call::create_datanet {
		name: bounded(&vec![b'n'; MAX_NAME_LEN as usize]),
		summary: bounded(b""),
		description: bounded(b""),
		tags: tags(&[]),
		license: bounded(b""),
		visibility: Visibility::Public,
	})
	.encode();
	assert!(RuntimeCall::decode(&mut &valid[..]).is_ok());
	let mut too_long = valid[..2].to_vec();
	(vec![b'n'; MAX_NAME_LEN as usize + 1]).encode_to(&mut too_long);
	too_long.extend_from_slice(&valid[2 + (vec![b'n'; MAX_NAME_LEN as usize]).encode().len()..]);
	assert!(RuntimeCall::decode(&mut &too_long[..]).is_err());
}

#[test]
fn create_datanet_errors() {
	build_and_execute(|| {
		let call = |who, name: &[u8]| {
			Datanets::create_datanet(
				RuntimeOrigin::signed(who),
				bounded(name),
				bounded(b""),
				bounded(b""),
				tags(&[]),
				bounded(b""),
				Visibility::Public,
			)
		};
		assert_noop!(call(OWNER, b""), Error::<Test>::EmptyName);
		assert_ok!(call(OWNER, b"med"));
		assert_noop!(call(OWNER, b"med"), Error::<Test>::NameTaken);
		assert_noop!(call(PAUPER, b"med"), TokenError::FundsUnavailable);
		assert_noop!(
			Datanets::create_datanet(
				RuntimeOrigin::none(),
				bounded(b"x"),
				bounded(b""),
				bounded(b""),
				tags(&[]),
				bounded(b""),
				Visibility::Public,
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn update_metadata_replaces_only_editable_fields() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		assert_ok!(Datanets::update_metadata(
			RuntimeOrigin::signed(OWNER),
			datanet,
			bounded(b"new summary"),
			bounded(b"new text"),
			tags(&[b"x"]),
		));
		System::assert_last_event(Event::MetadataUpdated { datanet }.into());
		let view = Datanets::datanet_view(datanet).unwrap();
		assert_eq!(view.summary, b"new summary".to_vec());
		assert_eq!(view.description, b"new text".to_vec());
		assert_eq!(view.tags, vec![b"x".to_vec()]);
		assert_eq!(view.name, b"med".to_vec());
		assert_eq!(view.license, b"CC-BY-4.0".to_vec());

		let update = |who, datanet| {
			Datanets::update_metadata(
				RuntimeOrigin::signed(who),
				datanet,
				bounded(b""),
				bounded(b""),
				tags(&[]),
			)
		};
		assert_noop!(update(OWNER, 42), Error::<Test>::UnknownDatanet);
		assert_noop!(update(ALICE, datanet), Error::<Test>::NotOwner);
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		assert_noop!(update(CURATOR, datanet), Error::<Test>::NotOwner);
	});
}

#[test]
fn curators_are_added_and_removed_within_bounds() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		System::assert_last_event(Event::CuratorAdded { datanet, curator: CURATOR }.into());
		assert_noop!(
			Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR),
			Error::<Test>::AlreadyCurator
		);
		assert_noop!(
			Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, OWNER),
			Error::<Test>::AlreadyCurator
		);
		assert_noop!(
			Datanets::add_curator(RuntimeOrigin::signed(CURATOR), datanet, BOB),
			Error::<Test>::NotOwner
		);
		// MAX_CURATORS is 2: the second fits, the third does not.
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, BOB));
		assert_eq!(Datanets::datanet_view(datanet).unwrap().curators, vec![CURATOR, BOB]);
		assert_noop!(
			Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, ALICE),
			Error::<Test>::TooManyCurators
		);

		assert_ok!(Datanets::remove_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		System::assert_last_event(Event::CuratorRemoved { datanet, curator: CURATOR }.into());
		assert_eq!(Datanets::datanet_view(datanet).unwrap().curators, vec![BOB]);
		assert_noop!(
			Datanets::remove_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR),
			Error::<Test>::NotCurator
		);
		assert_noop!(
			Datanets::remove_curator(RuntimeOrigin::signed(OWNER), 42, BOB),
			Error::<Test>::UnknownDatanet
		);
	});
}

#[test]
fn private_datanets_accept_only_owner_curators_and_allow_listed() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Private);
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		assert_noop!(
			Datanets::contribute(RuntimeOrigin::signed(ALICE), datanet, row("a")),
			Error::<Test>::NotAllowedToContribute
		);
		contribute(OWNER, datanet, "o");
		contribute(CURATOR, datanet, "c");

		assert_noop!(
			Datanets::set_contributor_allowed(RuntimeOrigin::signed(BOB), datanet, ALICE, true),
			Error::<Test>::NotOwnerOrCurator
		);
		assert_ok!(Datanets::set_contributor_allowed(
			RuntimeOrigin::signed(CURATOR),
			datanet,
			ALICE,
			true
		));
		System::assert_last_event(
			Event::ContributorAllowed { datanet, who: ALICE, allowed: true }.into(),
		);
		contribute(ALICE, datanet, "a");
		assert_ok!(Datanets::set_contributor_allowed(
			RuntimeOrigin::signed(OWNER),
			datanet,
			ALICE,
			false
		));
		assert_noop!(
			Datanets::contribute(RuntimeOrigin::signed(ALICE), datanet, row("a2")),
			Error::<Test>::NotAllowedToContribute
		);

		assert_noop!(
			Datanets::set_visibility(RuntimeOrigin::signed(CURATOR), datanet, Visibility::Public),
			Error::<Test>::NotOwner
		);
		assert_ok!(Datanets::set_visibility(
			RuntimeOrigin::signed(OWNER),
			datanet,
			Visibility::Public
		));
		System::assert_last_event(
			Event::VisibilitySet { datanet, visibility: Visibility::Public }.into(),
		);
		contribute(BOB, datanet, "b");
	});
}

#[test]
fn transfer_ownership_moves_deposit_name_and_rights() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		assert_ok!(Datanets::transfer_ownership(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		System::assert_last_event(
			Event::OwnershipTransferred { datanet, from: OWNER, to: CURATOR }.into(),
		);
		assert_eq!(held(HoldReason::DatanetDeposit, OWNER), 0);
		assert_eq!(free(OWNER), INITIAL_BALANCE);
		assert_eq!(held(HoldReason::DatanetDeposit, CURATOR), DATANET_DEPOSIT);
		let view = Datanets::datanet_view(datanet).unwrap();
		assert_eq!(view.owner, CURATOR);
		assert!(view.curators.is_empty());
		let name: NameOf<Test> = bounded(b"med");
		assert_eq!(DatanetIdByName::<Test>::get(OWNER, &name), None);
		assert_eq!(DatanetIdByName::<Test>::get(CURATOR, &name), Some(datanet));
		assert_noop!(
			Datanets::set_visibility(RuntimeOrigin::signed(OWNER), datanet, Visibility::Private),
			Error::<Test>::NotOwner
		);

		// The new owner of a second "med" would own two datanets with one name.
		let other = create(ALICE, b"med", Visibility::Public);
		assert_noop!(
			Datanets::transfer_ownership(RuntimeOrigin::signed(ALICE), other, CURATOR),
			Error::<Test>::NameTaken
		);
		assert_noop!(
			Datanets::transfer_ownership(RuntimeOrigin::signed(ALICE), other, PAUPER),
			TokenError::FundsUnavailable
		);
		assert_noop!(
			Datanets::transfer_ownership(RuntimeOrigin::signed(OWNER), other, BOB),
			Error::<Test>::NotOwner
		);
	});
}

#[test]
fn contribute_holds_base_plus_per_byte_deposit() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let text = "What is the normal adult resting heart rate? 60-100 bpm.";
		let id = contribute(ALICE, datanet, text);
		let deposit = deposit_of(text);
		System::assert_last_event(
			Event::RowContributed {
				datanet,
				row: id,
				contributor: ALICE,
				content_hash: content_hash(text.as_bytes()),
				byte_len: text.len() as u32,
				deposit,
			}
			.into(),
		);
		assert_eq!(held(HoldReason::RowDeposit, ALICE), deposit);
		assert_eq!(free(ALICE), INITIAL_BALANCE - deposit);
		let info = Rows::<Test>::get(datanet, id).unwrap();
		assert_eq!(info.status, RowStatus::Pending);
		assert_eq!(info.label, Some(bounded(b"qa")));
		assert_eq!(info.contributed_at, 1);
		assert_eq!(
			Datanets::row_by_content_hash(content_hash(text.as_bytes())),
			Some((datanet, id))
		);

		// A label at its bound is accepted.
		let mut at_bound = row("long label");
		at_bound.label = Some(bounded(&vec![b'l'; MAX_LABEL_LEN as usize]));
		assert_ok!(Datanets::contribute(RuntimeOrigin::signed(ALICE), datanet, at_bound));
	});
}

#[test]
fn contribute_errors() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let other = create(BOB, b"law", Visibility::Public);
		let id = contribute(ALICE, datanet, "same");
		assert_noop!(
			Datanets::contribute(RuntimeOrigin::signed(ALICE), 42, row("x")),
			Error::<Test>::UnknownDatanet
		);
		let empty = RowInput { content_hash: content_hash(b""), byte_len: 0, label: None };
		assert_noop!(
			Datanets::contribute(RuntimeOrigin::signed(ALICE), datanet, empty),
			Error::<Test>::EmptyRow
		);
		// Refused chain-wide, and the query names the existing row.
		assert_noop!(
			Datanets::contribute(RuntimeOrigin::signed(BOB), other, row("same")),
			Error::<Test>::DuplicateRow
		);
		assert_eq!(Datanets::row_by_content_hash(content_hash(b"same")), Some((datanet, id)));
		assert_noop!(
			Datanets::contribute(RuntimeOrigin::signed(PAUPER), datanet, row("p")),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn contribute_batch_is_all_or_nothing_up_to_its_bound() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let texts: Vec<String> = (0..MAX_BATCH).map(|i| format!("row {i}")).collect();
		let batch: RowInputsOf<Test> =
			texts.iter().map(|t| row(t)).collect::<Vec<_>>().try_into().unwrap();
		assert_ok!(Datanets::contribute_batch(RuntimeOrigin::signed(ALICE), datanet, batch));
		for (i, text) in texts.iter().enumerate() {
			System::assert_has_event(
				Event::RowContributed {
					datanet,
					row: i as RowId,
					contributor: ALICE,
					content_hash: content_hash(text.as_bytes()),
					byte_len: text.len() as u32,
					deposit: deposit_of(text),
				}
				.into(),
			);
		}
		let total: Balance = texts.iter().map(|t| deposit_of(t)).sum();
		assert_eq!(held(HoldReason::RowDeposit, ALICE), total);
		assert_eq!(Datanets::datanet_view(datanet).unwrap().rows_contributed, MAX_BATCH as u64);

		assert_noop!(
			Datanets::contribute_batch(RuntimeOrigin::signed(ALICE), datanet, BoundedVec::new()),
			Error::<Test>::EmptyBatch
		);
		// A hash repeated inside one batch, or an empty row after good ones, refuses the batch.
		let repeated: RowInputsOf<Test> = vec![row("new"), row("new")].try_into().unwrap();
		assert_noop!(
			Datanets::contribute_batch(RuntimeOrigin::signed(BOB), datanet, repeated),
			Error::<Test>::DuplicateRow
		);
		let empty = RowInput { content_hash: content_hash(b"e"), byte_len: 0, label: None };
		let with_empty: RowInputsOf<Test> = vec![row("fine"), empty].try_into().unwrap();
		assert_noop!(
			Datanets::contribute_batch(RuntimeOrigin::signed(BOB), datanet, with_empty),
			Error::<Test>::EmptyRow
		);
	});
}

#[test]
fn approve_marks_rows_and_counts_reputation() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		let a = contribute(ALICE, datanet, "a");
		let b = contribute(ALICE, datanet, "b");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(CURATOR), datanet, rows(&[b, a])));
		System::assert_has_event(Event::RowApproved { datanet, row: b }.into());
		System::assert_last_event(Event::RowApproved { datanet, row: a }.into());
		assert_eq!(Rows::<Test>::get(datanet, a).unwrap().status, RowStatus::Approved);
		assert_eq!(ApprovedRows::<Test>::get(datanet).into_inner(), vec![b, a]);
		assert_eq!(
			Datanets::reputation(&ALICE),
			ContributorReputation { approved: 2, rejected: 0, slashed: 0 }
		);
		// Approval keeps the deposit held: it backs the row against challenges.
		assert_eq!(held(HoldReason::RowDeposit, ALICE), deposit_of("a") + deposit_of("b"));
	});
}

#[test]
fn approve_errors() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let a = contribute(ALICE, datanet, "a");
		assert_noop!(
			Datanets::approve(RuntimeOrigin::signed(OWNER), 42, rows(&[a])),
			Error::<Test>::UnknownDatanet
		);
		assert_noop!(
			Datanets::approve(RuntimeOrigin::signed(ALICE), datanet, rows(&[a])),
			Error::<Test>::NotOwnerOrCurator
		);
		assert_noop!(
			Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[])),
			Error::<Test>::EmptyBatch
		);
		assert_noop!(
			Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[a, 99])),
			Error::<Test>::UnknownRow
		);
		assert_noop!(
			Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[a, a])),
			Error::<Test>::RowNotPending
		);
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[a])));
		assert_noop!(
			Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[a])),
			Error::<Test>::RowNotPending
		);
	});
}

#[test]
fn approvals_stop_at_max_rows_per_version_until_published() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let ids: Vec<RowId> = (0..=MAX_ROWS_PER_VERSION)
			.map(|i| contribute(ALICE, datanet, &format!("{i}")))
			.collect();
		let max = MAX_ROWS_PER_VERSION as usize;
		for chunk in ids[..max].chunks(MAX_BATCH as usize) {
			assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(chunk)));
		}
		assert_noop!(
			Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&ids[max..])),
			Error::<Test>::TooManyApprovedRows
		);
		assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet));
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&ids[max..])));
	});
}

#[test]
fn reject_returns_deposit_or_slashes_spam() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let ok_text = "off topic";
		let spam_text = "buy cheap pills";
		let off_topic = contribute(ALICE, datanet, ok_text);
		let spam = contribute(ALICE, datanet, spam_text);

		assert_ok!(Datanets::reject(
			RuntimeOrigin::signed(OWNER),
			datanet,
			rows(&[off_topic]),
			RejectReason::OffTopic
		));
		System::assert_last_event(
			Event::RowRejected {
				datanet,
				row: off_topic,
				reason: RejectReason::OffTopic,
				returned: deposit_of(ok_text),
				slashed: 0,
			}
			.into(),
		);
		assert_eq!(free(ALICE), INITIAL_BALANCE - deposit_of(spam_text));
		assert!(Rows::<Test>::get(datanet, off_topic).is_none());
		assert_eq!(slashes(), vec![], "only spam is slashed");
		// A rejected row's content may be contributed again (e.g. fixed up elsewhere).
		assert_eq!(Datanets::row_by_content_hash(content_hash(ok_text.as_bytes())), None);

		let spam_deposit = deposit_of(spam_text);
		let slashed = spam_deposit / 2; // SpamSlashRate is 50%.
		assert_ok!(Datanets::reject(
			RuntimeOrigin::signed(OWNER),
			datanet,
			rows(&[spam]),
			RejectReason::Spam
		));
		System::assert_last_event(
			Event::RowRejected {
				datanet,
				row: spam,
				reason: RejectReason::Spam,
				returned: spam_deposit - slashed,
				slashed,
			}
			.into(),
		);
		assert_eq!(
			slashes(),
			vec![SlashCall {
				reason: HoldReason::RowDeposit.into(),
				offender: ALICE,
				amount: slashed,
				kind: SlashKind::SpamRow,
				beneficiary: None,
			}]
		);
		assert_eq!(held(HoldReason::RowDeposit, ALICE), 0);
		assert_eq!(free(ALICE), INITIAL_BALANCE - slashed);
		assert_eq!(free(TREASURY), TREASURY_BALANCE + slashed);
		assert_eq!(
			Datanets::reputation(&ALICE),
			ContributorReputation { approved: 0, rejected: 2, slashed: 1 }
		);

		let pending = contribute(ALICE, datanet, "p");
		assert_noop!(
			Datanets::reject(
				RuntimeOrigin::signed(BOB),
				datanet,
				rows(&[pending]),
				RejectReason::Spam
			),
			Error::<Test>::NotOwnerOrCurator
		);
		assert_noop!(
			Datanets::reject(RuntimeOrigin::signed(OWNER), datanet, rows(&[]), RejectReason::Spam),
			Error::<Test>::EmptyBatch
		);
		assert_noop!(
			Datanets::reject(
				RuntimeOrigin::signed(OWNER),
				datanet,
				rows(&[spam]),
				RejectReason::Spam
			),
			Error::<Test>::UnknownRow
		);
	});
}

#[test]
fn batches_at_max_batch_size_are_approved_and_rejected() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let ids: Vec<RowId> = (0..2 * MAX_BATCH)
			.map(|i| contribute(ALICE, datanet, &format!("{i}")))
			.collect();
		let (first, second) = ids.split_at(MAX_BATCH as usize);
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(first)));
		assert_ok!(Datanets::reject(
			RuntimeOrigin::signed(OWNER),
			datanet,
			rows(second),
			RejectReason::LowQuality
		));
		assert_eq!(
			Datanets::reputation(&ALICE),
			ContributorReputation { approved: MAX_BATCH, rejected: MAX_BATCH, slashed: 0 }
		);
		assert!(RowIdsOf::<Test>::try_from(ids.clone()).is_err());
	});
}

#[test]
fn withdraw_returns_a_pending_rows_deposit() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let a = contribute(ALICE, datanet, "a");
		assert_noop!(
			Datanets::withdraw(RuntimeOrigin::signed(BOB), datanet, a),
			Error::<Test>::NotContributor
		);
		assert_noop!(
			Datanets::withdraw(RuntimeOrigin::signed(ALICE), datanet, 7),
			Error::<Test>::UnknownRow
		);
		assert_noop!(
			Datanets::withdraw(RuntimeOrigin::signed(ALICE), 42, a),
			Error::<Test>::UnknownDatanet
		);
		assert_ok!(Datanets::withdraw(RuntimeOrigin::signed(ALICE), datanet, a));
		System::assert_last_event(
			Event::RowWithdrawn { datanet, row: a, returned: deposit_of("a") }.into(),
		);
		assert_eq!(free(ALICE), INITIAL_BALANCE);
		assert!(Rows::<Test>::get(datanet, a).is_none());
		assert_eq!(Datanets::row_by_content_hash(content_hash(b"a")), None);

		let b = contribute(ALICE, datanet, "b");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[b])));
		assert_noop!(
			Datanets::withdraw(RuntimeOrigin::signed(ALICE), datanet, b),
			Error::<Test>::RowNotPending
		);
	});
}

#[test]
fn publish_version_builds_merkle_root_in_row_order_and_charges_fee() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
		let texts = ["alpha", "beta row", "gamma"];
		let ids: Vec<RowId> = texts.iter().map(|t| contribute(ALICE, datanet, t)).collect();
		// Approved out of order; the version still lists rows in row order.
		assert_ok!(Datanets::approve(
			RuntimeOrigin::signed(OWNER),
			datanet,
			rows(&[ids[2], ids[0]])
		));
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[ids[1]])));

		let total_bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
		let fee = PUBLISH_FEE_BASE + PUBLISH_FEE_PER_BYTE * total_bytes;
		let hashes: Vec<_> = texts.iter().map(|t| content_hash(t.as_bytes())).collect();
		let root = merkle_root(&hashes);
		let curator_before = free(CURATOR);
		assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(CURATOR), datanet));
		System::assert_last_event(
			Event::VersionPublished {
				datanet,
				version: 1,
				merkle_root: root,
				row_count: 3,
				total_bytes,
				fee,
			}
			.into(),
		);
		assert_eq!(free(CURATOR), curator_before - fee);
		assert_eq!(free(TREASURY), TREASURY_BALANCE + fee);
		assert_eq!(
			Datanets::version(datanet, 1),
			Some(VersionSummary { merkle_root: root, row_count: 3, total_bytes })
		);
		assert_eq!(
			Datanets::version_rows(datanet, 1, 0, 10),
			ids.iter().copied().zip(hashes.iter().copied()).collect::<Vec<_>>()
		);
		assert_eq!(Datanets::version_rows(datanet, 1, 1, 1), vec![(ids[1], hashes[1])]);
		assert!(Datanets::version_rows(datanet, 1, 3, 10).is_empty());
		assert!(Datanets::version_rows(datanet, 2, 0, 10).is_empty());
		assert_eq!(Rows::<Test>::get(datanet, ids[0]).unwrap().status, RowStatus::Published(1));
		assert!(ApprovedRows::<Test>::get(datanet).is_empty());

		assert_noop!(
			Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet),
			Error::<Test>::NothingToPublish
		);
		// Version 2 leaves version 1 as it was.
		let d = contribute(BOB, datanet, "delta");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[d])));
		assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet));
		let versions = Datanets::versions(datanet);
		assert_eq!(versions.len(), 2);
		assert_eq!(versions[0].1.merkle_root, root);
		assert_eq!(versions[1].1.merkle_root, content_hash(b"delta"));
		assert_eq!(versions[1].1.publisher, OWNER);
		assert_eq!(Datanets::datanet_view(datanet).unwrap().version_count, 2);
	});
}

#[test]
fn publish_version_errors() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		assert_noop!(
			Datanets::publish_version(RuntimeOrigin::signed(OWNER), 42),
			Error::<Test>::UnknownDatanet
		);
		assert_noop!(
			Datanets::publish_version(RuntimeOrigin::signed(ALICE), datanet),
			Error::<Test>::NotOwnerOrCurator
		);
		assert_noop!(
			Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet),
			Error::<Test>::NothingToPublish
		);
		// A publisher who cannot pay the fee publishes nothing.
		let a = contribute(ALICE, datanet, "a");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[a])));
		assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, PAUPER));
		assert_noop!(
			Datanets::publish_version(RuntimeOrigin::signed(PAUPER), datanet),
			TokenError::FundsUnavailable
		);
	});
}

/// Bond a challenge of a row with deposit `deposit` holds in the mock: the deposit, floored at
/// `MIN_CHALLENGE_BOND`.
fn bond_for(deposit: Balance) -> Balance {
	(deposit * CHALLENGE_BOND_PERCENT as Balance / 100).max(MIN_CHALLENGE_BOND)
}

/// Reward an upheld challenge of a row with deposit `deposit` pays in the mock.
fn reward_for(deposit: Balance) -> Balance {
	deposit * CHALLENGE_REWARD_PERCENT as Balance / 100
}

/// Every account of the mock: their balances (free and held) always sum to the issuance.
const EVERYONE: [AccountId; 9] =
	[OWNER, CURATOR, ALICE, BOB, CHALLENGER, PAUPER, WORKER, SUSPENDED_WORKER, TREASURY];

/// Free plus held.
fn total(who: AccountId) -> Balance {
	Balances::total_balance(&who)
}

/// Nothing is created or lost: the accounts hold exactly the genesis issuance.
fn assert_conserved() {
	let genesis = 7 * INITIAL_BALANCE + TREASURY_BALANCE;
	assert_eq!(EVERYONE.iter().map(|who| total(*who)).sum::<Balance>(), genesis);
	assert_eq!(Balances::total_issuance(), genesis);
}

/// A public datanet of `OWNER` with `CURATOR` where `contributor`'s row `text` is approved and
/// published as version 1.
fn published_row(contributor: AccountId, text: &str) -> (DatanetId, RowId) {
	let datanet = create(OWNER, b"med", Visibility::Public);
	assert_ok!(Datanets::add_curator(RuntimeOrigin::signed(OWNER), datanet, CURATOR));
	let id = contribute(contributor, datanet, text);
	assert_ok!(Datanets::approve(RuntimeOrigin::signed(CURATOR), datanet, rows(&[id])));
	assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet));
	(datanet, id)
}

fn challenge(who: AccountId, datanet: DatanetId, row: RowId, kind: ChallengeKind) {
	assert_ok!(Datanets::challenge_row(RuntimeOrigin::signed(who), datanet, row, kind));
}

fn judge(datanet: DatanetId, row: RowId, uphold: bool) {
	assert_ok!(Datanets::resolve_challenge(RuntimeOrigin::root(), datanet, row, uphold));
}

#[test]
fn challenge_bond_and_reward_obey_the_documented_inequalities() {
	build_and_execute(|| {
		let smallest = Datanets::row_deposit(1);
		for deposit in smallest..=2_000 {
			let (bond, reward) =
				(Datanets::challenge_bond(deposit), Datanets::challenge_reward(deposit));
			assert_eq!((bond, reward), (bond_for(deposit), reward_for(deposit)));
			// Challenging spam pays: a reward above zero, r·D / max(b·D, MinChallengeBond) of
			// the bond, which is r / b = 1/2 once the floor stops binding and never below
			// r·D_min / MinChallengeBond = 6/20 below it.
			assert!(reward > 0);
			assert!(reward * MIN_CHALLENGE_BOND >= bond * reward_for(smallest));
			if deposit >= MIN_CHALLENGE_BOND {
				assert!(2 * reward + 1 >= bond);
			}
			// A self-challenge loses: what comes back out of one's own deposit is less than it.
			assert!(reward < deposit);
		}
	});
}

#[test]
fn upheld_challenge_pays_the_challenger_and_the_rest_of_the_deposit_to_the_treasury() {
	build_and_execute(|| {
		let (datanet, ids) = published_datanet(2);
		let row_id = ids[0];
		let deposit = deposit_of("r0");
		let (bond, reward) = (bond_for(deposit), reward_for(deposit));
		challenge(CHALLENGER, datanet, row_id, ChallengeKind::Adversarial);
		System::assert_last_event(
			Event::RowChallenged {
				datanet,
				row: row_id,
				challenger: CHALLENGER,
				kind: ChallengeKind::Adversarial,
				bond,
			}
			.into(),
		);
		assert_eq!(held(HoldReason::ChallengeBond, CHALLENGER), bond);
		assert_eq!(
			Challenges::<Test>::get(datanet, row_id).unwrap().deadline,
			1 + CHALLENGE_DECISION_PERIOD
		);

		let treasury_before = free(TREASURY);
		judge(datanet, row_id, true);
		System::assert_last_event(
			Event::ChallengeUpheld {
				datanet,
				row: row_id,
				challenger: CHALLENGER,
				reward,
				slashed: deposit - reward,
			}
			.into(),
		);
		// The reward is paid out of the deposit; the rest is slashed with no beneficiary.
		assert_eq!(
			slash_fees(),
			vec![SlashFeeCall {
				reason: HoldReason::RowDeposit.into(),
				offender: ALICE,
				payee: CHALLENGER,
				amount: reward,
				kind: SlashKind::SpamRow,
			}]
		);
		assert_eq!(
			slashes(),
			vec![SlashCall {
				reason: HoldReason::RowDeposit.into(),
				offender: ALICE,
				amount: deposit - reward,
				kind: SlashKind::SpamRow,
				beneficiary: None,
			}]
		);
		assert_eq!(free(CHALLENGER), INITIAL_BALANCE + reward);
		assert_eq!(held(HoldReason::ChallengeBond, CHALLENGER), 0);
		assert_eq!(free(TREASURY), treasury_before + deposit - reward);
		assert_eq!(held(HoldReason::RowDeposit, ALICE), deposit_of("r1"));
		assert_eq!(free(ALICE), INITIAL_BALANCE - deposit - deposit_of("r1"));
		let info = Rows::<Test>::get(datanet, row_id).unwrap();
		assert_eq!((info.status, info.deposit), (RowStatus::Slashed, 0));
		assert_eq!(
			Datanets::reputation(&ALICE),
			ContributorReputation { approved: 2, rejected: 0, slashed: 1 }
		);
		// Nothing is left to slash: the row cannot be challenged again, its content stays refused.
		assert_noop!(
			Datanets::challenge_row(
				RuntimeOrigin::signed(BOB),
				datanet,
				row_id,
				ChallengeKind::Spam
			),
			Error::<Test>::RowNotChallengeable
		);
		assert_noop!(
			Datanets::contribute(RuntimeOrigin::signed(BOB), datanet, row("r0")),
			Error::<Test>::DuplicateRow
		);
		// The version is immutable: the slashed row keeps its place.
		assert_eq!(Datanets::version_rows(datanet, 1, 0, 10).len(), 2);
		assert_conserved();
	});
}

#[test]
fn upheld_challenge_on_an_unpublished_row_drops_it_from_the_next_version() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let a = contribute(ALICE, datanet, "a");
		let b = contribute(ALICE, datanet, "b");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[a, b])));
		challenge(CHALLENGER, datanet, a, ChallengeKind::Duplicate);
		judge(datanet, a, true);
		assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet));
		assert_eq!(Datanets::version_rows(datanet, 1, 0, 10), vec![(b, content_hash(b"b"))]);
	});
}

#[test]
fn rejected_challenge_slashes_the_bond_for_the_contributor() {
	build_and_execute(|| {
		let (datanet, ids) = published_datanet(1);
		let bond = bond_for(deposit_of("r0"));
		challenge(CHALLENGER, datanet, ids[0], ChallengeKind::Spam);
		let alice_before = free(ALICE);
		judge(datanet, ids[0], false);
		System::assert_last_event(
			Event::ChallengeRejected {
				datanet,
				row: ids[0],
				challenger: CHALLENGER,
				bond_slashed: bond,
			}
			.into(),
		);
		assert_eq!(
			slashes(),
			vec![SlashCall {
				reason: HoldReason::ChallengeBond.into(),
				offender: CHALLENGER,
				amount: bond,
				kind: SlashKind::LosingChallenger,
				beneficiary: Some(ALICE),
			}]
		);
		assert_eq!(free(CHALLENGER), INITIAL_BALANCE - bond);
		assert_eq!(held(HoldReason::ChallengeBond, CHALLENGER), 0);
		assert_eq!(free(ALICE), alice_before + bond);
		assert_eq!(held(HoldReason::RowDeposit, ALICE), deposit_of("r0"));
		assert_eq!(Rows::<Test>::get(datanet, ids[0]).unwrap().status, RowStatus::Published(1));
		// Decided challenges are gone; the row can be challenged again.
		assert_noop!(
			Datanets::resolve_challenge(RuntimeOrigin::root(), datanet, ids[0], false),
			Error::<Test>::NoOpenChallenge
		);
		challenge(BOB, datanet, ids[0], ChallengeKind::Duplicate);
		assert_conserved();
	});
}

#[test]
fn challenge_errors() {
	build_and_execute(|| {
		let (datanet, ids) = published_datanet(1);
		let pending = contribute(BOB, datanet, "pending");
		assert_noop!(
			Datanets::challenge_row(RuntimeOrigin::signed(CHALLENGER), 42, 0, ChallengeKind::Spam),
			Error::<Test>::UnknownDatanet
		);
		assert_noop!(
			Datanets::challenge_row(
				RuntimeOrigin::signed(CHALLENGER),
				datanet,
				99,
				ChallengeKind::Spam
			),
			Error::<Test>::UnknownRow
		);
		assert_noop!(
			Datanets::challenge_row(
				RuntimeOrigin::signed(CHALLENGER),
				datanet,
				pending,
				ChallengeKind::Spam
			),
			Error::<Test>::RowNotChallengeable
		);
		assert_noop!(
			Datanets::challenge_row(
				RuntimeOrigin::signed(PAUPER),
				datanet,
				ids[0],
				ChallengeKind::Spam
			),
			TokenError::FundsUnavailable
		);
		// What only a worker observes is not for anyone to claim.
		for kind in [ChallengeKind::Unfetchable, ChallengeKind::ByteLenMismatch { observed: 7 }] {
			assert_noop!(
				Datanets::challenge_row(RuntimeOrigin::signed(CHALLENGER), datanet, ids[0], kind),
				Error::<Test>::ReservedForWorkers
			);
		}
		challenge(CHALLENGER, datanet, ids[0], ChallengeKind::Spam);
		assert_noop!(
			Datanets::challenge_row(
				RuntimeOrigin::signed(BOB),
				datanet,
				ids[0],
				ChallengeKind::Spam
			),
			Error::<Test>::ChallengeAlreadyOpen
		);
		for who in [CHALLENGER, OWNER, CURATOR, ALICE] {
			assert_noop!(
				Datanets::resolve_challenge(RuntimeOrigin::signed(who), datanet, ids[0], true),
				DispatchError::BadOrigin
			);
		}
		assert_noop!(
			Datanets::resolve_challenge(RuntimeOrigin::root(), datanet, pending, true),
			Error::<Test>::NoOpenChallenge
		);
		assert_noop!(
			Datanets::expire_challenge(RuntimeOrigin::signed(BOB), datanet, pending),
			Error::<Test>::NoOpenChallenge
		);
		assert_noop!(
			Datanets::expire_challenge(RuntimeOrigin::signed(BOB), datanet, ids[0]),
			Error::<Test>::DecisionPeriodNotOver
		);
		assert_noop!(
			Datanets::expire_challenge(RuntimeOrigin::root(), datanet, ids[0]),
			DispatchError::BadOrigin
		);
		go_to_block(1 + CHALLENGE_DECISION_PERIOD);
		assert_noop!(
			Datanets::resolve_challenge(RuntimeOrigin::root(), datanet, ids[0], true),
			Error::<Test>::DecisionPeriodOver
		);
	});
}

/// Attack 8, the judge: the owner holds a junk row in its own datanet and used to reject the
/// challenge against it and keep the bond. Now neither the owner nor a curator may decide; the
/// neutral judge upholds, the owner ends with less than it started and the honest challenger
/// with more.
#[test]
fn owner_and_curators_cannot_judge_challenges_to_their_own_rows() {
	build_and_execute(|| {
		let owner_start = total(OWNER);
		let (datanet, junk) = published_row(OWNER, "junk junk junk junk");
		let publish_fee = PUBLISH_FEE_BASE + PUBLISH_FEE_PER_BYTE * 19;
		let deposit = deposit_of("junk junk junk junk");
		challenge(CHALLENGER, datanet, junk, ChallengeKind::Spam);
		for who in [OWNER, CURATOR] {
			assert_noop!(
				Datanets::resolve_challenge(RuntimeOrigin::signed(who), datanet, junk, false),
				DispatchError::BadOrigin
			);
		}
		judge(datanet, junk, true);
		assert!(total(OWNER) < owner_start);
		assert_eq!(total(OWNER), owner_start - publish_fee - deposit);
		assert_eq!(total(CHALLENGER), INITIAL_BALANCE + reward_for(deposit));
		assert_eq!(total(CURATOR), INITIAL_BALANCE);
		assert_conserved();
	});
}

/// Attack 8, the sizes: an upheld challenge used to pay the deposit (14) for a bond of 300. Now
/// it returns the bond plus a reward that is a fixed fraction of it (half once the row's deposit
/// is above the floor, more than a quarter below it), and the spammer loses the whole deposit.
#[test]
fn upheld_spam_challenge_pays_more_than_the_challenger_risked() {
	build_and_execute(|| {
		for (index, text) in ["r0", "spam spam spam spam spam spam"].into_iter().enumerate() {
			let datanet = create(OWNER, format!("d{index}").as_bytes(), Visibility::Public);
			let id = contribute(ALICE, datanet, text);
			assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[id])));
			let (deposit, challenger_start, spammer_start) =
				(deposit_of(text), total(CHALLENGER), total(ALICE));
			let (bond, reward) = (bond_for(deposit), reward_for(deposit));
			challenge(CHALLENGER, datanet, id, ChallengeKind::Spam);
			// While it is open the challenger risks the bond.
			assert_eq!(free(CHALLENGER), challenger_start - bond);
			judge(datanet, id, true);
			assert_eq!(free(CHALLENGER), challenger_start + reward);
			assert!(reward > 0 && 4 * reward > bond, "reward {reward} for bond {bond}");
			assert_eq!(total(ALICE), spammer_start - deposit);
			assert_conserved();
		}
	});
}

/// Attack 8, self-challenge: a contributor who challenges its own row, from a second account or
/// its own, gets back less than its slashed deposit; when the challenge fails it does not gain.
#[test]
fn self_challenge_loses_money() {
	build_and_execute(|| {
		// ALICE's sybil BOB challenges ALICE's row.
		let (datanet, id) = published_row(ALICE, "mine mine mine mine");
		let deposit = deposit_of("mine mine mine mine");
		let pair_start = total(ALICE) + total(BOB);
		challenge(BOB, datanet, id, ChallengeKind::Duplicate);
		judge(datanet, id, true);
		assert_eq!(total(ALICE) + total(BOB), pair_start - (deposit - reward_for(deposit)));
		assert!(total(ALICE) + total(BOB) < pair_start);

		// ALICE challenges her own row herself.
		let own = contribute(ALICE, datanet, "mine again");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[own])));
		let alice_start = total(ALICE);
		challenge(ALICE, datanet, own, ChallengeKind::Spam);
		judge(datanet, own, true);
		assert_eq!(
			total(ALICE),
			alice_start - (deposit_of("mine again") - reward_for(deposit_of("mine again")))
		);

		// A failed self-challenge pays the contributor at most its own bond back.
		let third = contribute(ALICE, datanet, "third row");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[third])));
		let pair_start = total(ALICE) + total(BOB);
		challenge(BOB, datanet, third, ChallengeKind::Spam);
		judge(datanet, third, false);
		assert!(total(ALICE) + total(BOB) <= pair_start);
		assert_conserved();
	});
}

/// Attack 8, no deadline: a challenge the judge never decides used to lock the row's deposit and
/// the bond for ever. Now anyone closes it at the deadline: the bond comes back whole, nobody is
/// slashed, and the contributor can release its deposit.
#[test]
fn undecided_challenge_expires_at_the_deadline_with_the_bond_returned() {
	build_and_execute(|| {
		let (datanet, id) = published_row(ALICE, "honest row");
		let deposit = deposit_of("honest row");
		let bond = bond_for(deposit);
		let (alice_start, challenger_start, owner_start) =
			(total(ALICE), total(CHALLENGER), total(OWNER));
		challenge(CHALLENGER, datanet, id, ChallengeKind::Spam);
		let deadline = 1 + CHALLENGE_DECISION_PERIOD;
		go_to_block(deadline - 1);
		assert_noop!(
			Datanets::expire_challenge(RuntimeOrigin::signed(BOB), datanet, id),
			Error::<Test>::DecisionPeriodNotOver
		);
		go_to_block(deadline);
		assert_noop!(
			Datanets::resolve_challenge(RuntimeOrigin::root(), datanet, id, false),
			Error::<Test>::DecisionPeriodOver
		);
		// Anyone may close it, here a bystander.
		assert_ok!(Datanets::expire_challenge(RuntimeOrigin::signed(BOB), datanet, id));
		System::assert_last_event(
			Event::ChallengeExpired { datanet, row: id, challenger: CHALLENGER, bond }.into(),
		);
		assert!(slashes().is_empty() && slash_fees().is_empty());
		assert_eq!(held(HoldReason::ChallengeBond, CHALLENGER), 0);
		assert_eq!(
			(total(ALICE), total(CHALLENGER), total(OWNER)),
			(alice_start, challenger_start, owner_start)
		);
		assert_eq!(held(HoldReason::RowDeposit, ALICE), deposit);
		assert!(Challenges::<Test>::get(datanet, id).is_none());
		assert_noop!(
			Datanets::expire_challenge(RuntimeOrigin::signed(BOB), datanet, id),
			Error::<Test>::NoOpenChallenge
		);
		go_to_block(1 + CHALLENGE_PERIOD);
		assert_ok!(Datanets::release_deposit(RuntimeOrigin::signed(ALICE), datanet, id));
		assert_eq!(held(HoldReason::RowDeposit, ALICE), 0);
		assert_conserved();
	});
}

/// Attack 8, the losing bond: it used to go to the judge when the judge held the row. Now it is
/// slashed through `Slashing` with the wrongly accused contributor as beneficiary; the owner
/// and curators, who approved the row, get nothing even when they would have judged.
#[test]
fn losing_challengers_bond_goes_to_the_accused_contributor_not_the_owner() {
	build_and_execute(|| {
		let (datanet, id) = published_row(ALICE, "good row");
		let bond = bond_for(deposit_of("good row"));
		let (owner_start, curator_start, alice_start, challenger_start) =
			(total(OWNER), total(CURATOR), total(ALICE), total(CHALLENGER));
		challenge(CHALLENGER, datanet, id, ChallengeKind::Adversarial);
		judge(datanet, id, false);
		assert_eq!(slashes().len(), 1);
		assert_eq!(slashes()[0].beneficiary, Some(ALICE));
		assert_eq!((total(OWNER), total(CURATOR)), (owner_start, curator_start));
		assert_eq!(total(CHALLENGER), challenger_start - bond);
		assert_eq!(total(ALICE), alice_start + bond);
		assert_conserved();
	});
}

/// Attack 8, `byte_len`: a contributor declares 1 byte for a 30-byte row (a smaller deposit and
/// publish fee) and another row is in no store. An active worker that saw it while assembling a
/// job reports it; the judge upholds; the liar loses its deposit and the worker gains the reward.
#[test]
fn worker_report_of_a_wrong_byte_len_or_an_unfetchable_row_slashes_the_row() {
	build_and_execute(|| {
		let datanet = create(OWNER, b"med", Visibility::Public);
		let text = "thirty bytes of real row text!";
		let liar = contribute_declaring(ALICE, datanet, text, 1);
		let gone = contribute(ALICE, datanet, "bytes nobody stores");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[liar, gone])));
		assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet));
		let (alice_start, worker_start) = (total(ALICE), total(WORKER));
		let liar_deposit = Datanets::row_deposit(1);
		let gone_deposit = deposit_of("bytes nobody stores");

		let mismatch = ChallengeKind::ByteLenMismatch { observed: text.len() as u32 };
		assert_ok!(Datanets::report_row(RuntimeOrigin::signed(WORKER), datanet, liar, mismatch));
		System::assert_last_event(
			Event::RowChallenged {
				datanet,
				row: liar,
				challenger: WORKER,
				kind: mismatch,
				bond: bond_for(liar_deposit),
			}
			.into(),
		);
		assert_ok!(Datanets::report_row(
			RuntimeOrigin::signed(WORKER),
			datanet,
			gone,
			ChallengeKind::Unfetchable
		));
		assert_eq!(
			held(HoldReason::ChallengeBond, WORKER),
			bond_for(liar_deposit) + bond_for(gone_deposit)
		);
		judge(datanet, liar, true);
		judge(datanet, gone, true);
		assert_eq!(Rows::<Test>::get(datanet, liar).unwrap().status, RowStatus::Slashed);
		assert_eq!(Rows::<Test>::get(datanet, gone).unwrap().status, RowStatus::Slashed);
		assert!(slashes()
			.iter()
			.all(|slash| slash.kind == SlashKind::SpamRow && slash.offender == ALICE));
		assert_eq!(total(ALICE), alice_start - liar_deposit - gone_deposit);
		assert_eq!(
			total(WORKER),
			worker_start + reward_for(liar_deposit) + reward_for(gone_deposit)
		);
		assert_eq!(held(HoldReason::ChallengeBond, WORKER), 0);
		assert_conserved();
	});
}

#[test]
fn report_row_errors() {
	build_and_execute(|| {
		let (datanet, id) = published_row(ALICE, "four");
		let pending = contribute(BOB, datanet, "pending");
		let mismatch = ChallengeKind::ByteLenMismatch { observed: 5 };
		for who in [CHALLENGER, OWNER, SUSPENDED_WORKER] {
			assert_noop!(
				Datanets::report_row(RuntimeOrigin::signed(who), datanet, id, mismatch),
				Error::<Test>::NotActiveWorker
			);
		}
		for kind in [ChallengeKind::Spam, ChallengeKind::Duplicate, ChallengeKind::Adversarial] {
			assert_noop!(
				Datanets::report_row(RuntimeOrigin::signed(WORKER), datanet, id, kind),
				Error::<Test>::NotAWorkerReport
			);
		}
		assert_noop!(
			Datanets::report_row(
				RuntimeOrigin::signed(WORKER),
				datanet,
				id,
				ChallengeKind::ByteLenMismatch { observed: 4 }
			),
			Error::<Test>::DeclaredLengthMatches
		);
		assert_noop!(
			Datanets::report_row(RuntimeOrigin::signed(WORKER), 42, id, mismatch),
			Error::<Test>::UnknownDatanet
		);
		assert_noop!(
			Datanets::report_row(RuntimeOrigin::signed(WORKER), datanet, 99, mismatch),
			Error::<Test>::UnknownRow
		);
		assert_noop!(
			Datanets::report_row(
				RuntimeOrigin::signed(WORKER),
				datanet,
				pending,
				ChallengeKind::Unfetchable
			),
			Error::<Test>::RowNotChallengeable
		);
		challenge(CHALLENGER, datanet, id, ChallengeKind::Spam);
		assert_noop!(
			Datanets::report_row(RuntimeOrigin::signed(WORKER), datanet, id, mismatch),
			Error::<Test>::ChallengeAlreadyOpen
		);
		// A report the judge rejects costs the worker its bond, like any losing challenge.
		let (datanet2, id2) = (datanet, contribute(BOB, datanet, "bob row"));
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet2, rows(&[id2])));
		let worker_start = total(WORKER);
		assert_ok!(Datanets::report_row(
			RuntimeOrigin::signed(WORKER),
			datanet2,
			id2,
			ChallengeKind::Unfetchable
		));
		judge(datanet2, id2, false);
		assert_eq!(total(WORKER), worker_start - bond_for(deposit_of("bob row")));
		assert_conserved();
	});
}

#[test]
fn near_duplicate_reports_name_an_earlier_row_and_are_slashed_when_upheld() {
	build_and_execute(|| {
		let (datanet, original) = published_row(ALICE, "the original row's words");
		go_to_block(2);
		let copy = contribute(BOB, datanet, "the original row's wordz");
		let pending = contribute(BOB, datanet, "a row still pending");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(CURATOR), datanet, rows(&[copy])));
		let later = contribute(ALICE, datanet, "a later row");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(CURATOR), datanet, rows(&[later])));
		// Bob's own datanet, where he approves his own copy of Alice's row.
		let own = create(BOB, b"bob's", Visibility::Public);
		let elsewhere = contribute(BOB, own, "The ORIGINAL row's words!");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(BOB), own, rows(&[elsewhere])));
		let report = |datanet, row, original_datanet, original, similarity_ppm| {
			Datanets::report_row(
				RuntimeOrigin::signed(WORKER),
				datanet,
				row,
				ChallengeKind::NearDuplicate { original_datanet, original, similarity_ppm },
			)
		};
		let claim = ChallengeKind::NearDuplicate {
			original_datanet: datanet,
			original,
			similarity_ppm: 900_000,
		};
		assert_noop!(
			Datanets::challenge_row(RuntimeOrigin::signed(CHALLENGER), datanet, copy, claim),
			Error::<Test>::ReservedForWorkers
		);
		for similarity in [NEAR_DUPLICATE_THRESHOLD - 1, 1_000_001] {
			assert_noop!(
				report(datanet, copy, datanet, original, similarity),
				Error::<Test>::SimilarityOutOfRange
			);
		}
		// The original must come first, exist, differ and be approved or published.
		for (bad_datanet, bad) in
			[(datanet, copy), (datanet, later), (datanet, 99), (own, elsewhere)]
		{
			assert_noop!(
				report(datanet, copy, bad_datanet, bad, 900_000),
				Error::<Test>::InvalidOriginal
			);
		}
		assert_noop!(
			report(datanet, later, datanet, pending, 900_000),
			Error::<Test>::InvalidOriginal
		);

		let (alice_start, bob_start, worker_start) = (total(ALICE), total(BOB), total(WORKER));
		let copy_deposit = deposit_of("the original row's wordz");
		let elsewhere_deposit = deposit_of("The ORIGINAL row's words!");
		assert_ok!(report(datanet, copy, datanet, original, NEAR_DUPLICATE_THRESHOLD));
		System::assert_last_event(
			Event::RowChallenged {
				datanet,
				row: copy,
				challenger: WORKER,
				kind: ChallengeKind::NearDuplicate {
					original_datanet: datanet,
					original,
					similarity_ppm: NEAR_DUPLICATE_THRESHOLD,
				},
				bond: bond_for(copy_deposit),
			}
			.into(),
		);
		// A copy into another datanet is reported against the row it copies, wherever it is.
		assert_ok!(report(own, elsewhere, datanet, original, 1_000_000));
		judge(datanet, copy, true);
		judge(own, elsewhere, true);
		for (datanet, row) in [(datanet, copy), (own, elsewhere)] {
			assert_eq!(Rows::<Test>::get(datanet, row).unwrap().status, RowStatus::Slashed);
			assert!(!ApprovedRows::<Test>::get(datanet).contains(&row));
		}
		assert_eq!(Datanets::reputation(&BOB).slashed, 2);
		assert_eq!(total(BOB), bob_start - copy_deposit - elsewhere_deposit);
		assert_eq!(
			total(WORKER),
			worker_start + reward_for(copy_deposit) + reward_for(elsewhere_deposit)
		);
		// The first contributor keeps the row, its deposit and its standing.
		let kept = Rows::<Test>::get(datanet, original).unwrap();
		assert_eq!(kept.status, RowStatus::Published(1));
		assert_eq!(total(ALICE), alice_start);
		assert_eq!(Datanets::reputation(&ALICE).slashed, 0);
		assert_conserved();
	});
}

#[test]
fn release_deposit_after_challenge_period() {
	build_and_execute(|| {
		let (datanet, ids) = published_datanet(2);
		let [a, b] = [ids[0], ids[1]];
		assert_noop!(
			Datanets::release_deposit(RuntimeOrigin::signed(ALICE), datanet, a),
			Error::<Test>::ChallengePeriodNotOver
		);
		assert_noop!(
			Datanets::release_deposit(RuntimeOrigin::signed(BOB), datanet, a),
			Error::<Test>::NotContributor
		);
		assert_noop!(
			Datanets::release_deposit(RuntimeOrigin::signed(ALICE), 42, a),
			Error::<Test>::UnknownDatanet
		);
		assert_noop!(
			Datanets::release_deposit(RuntimeOrigin::signed(ALICE), datanet, 99),
			Error::<Test>::UnknownRow
		);
		assert_ok!(Datanets::challenge_row(
			RuntimeOrigin::signed(CHALLENGER),
			datanet,
			b,
			ChallengeKind::Spam
		));
		go_to_block(1 + CHALLENGE_PERIOD);
		assert_noop!(
			Datanets::release_deposit(RuntimeOrigin::signed(ALICE), datanet, b),
			Error::<Test>::ChallengeOpen
		);

		assert_ok!(Datanets::release_deposit(RuntimeOrigin::signed(ALICE), datanet, a));
		System::assert_last_event(
			Event::DepositReleased {
				datanet,
				row: a,
				contributor: ALICE,
				amount: deposit_of("r0"),
			}
			.into(),
		);
		assert_eq!(held(HoldReason::RowDeposit, ALICE), deposit_of("r1"));
		// Released exactly once; afterwards the row is no longer challengeable.
		assert_noop!(
			Datanets::release_deposit(RuntimeOrigin::signed(ALICE), datanet, a),
			Error::<Test>::DepositNotReleasable
		);
		assert_noop!(
			Datanets::challenge_row(RuntimeOrigin::signed(BOB), datanet, a, ChallengeKind::Spam),
			Error::<Test>::RowNotChallengeable
		);

		// A row that is only approved (not yet published) keeps its deposit.
		let c = contribute(ALICE, datanet, "c");
		assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[c])));
		assert_noop!(
			Datanets::release_deposit(RuntimeOrigin::signed(ALICE), datanet, c),
			Error::<Test>::DepositNotReleasable
		);
	});
}

#[test]
fn reputation_is_readable_through_the_trait() {
	build_and_execute(|| {
		assert_eq!(
			<Datanets as ContributorReputationInspect<AccountId>>::reputation(&ALICE),
			ContributorReputation::default()
		);
		published_datanet(3);
		assert_eq!(
			<Datanets as ContributorReputationInspect<AccountId>>::reputation(&ALICE).approved,
			3
		);
		assert_eq!(<Datanets as DatanetsInspect>::version(0, 1).unwrap().row_count, 3);
		assert_eq!(<Datanets as DatanetsInspect>::version(0, 2), None);
	});
}

#[test]
fn rows_inspect_reports_contributor_and_status() {
	use tributary_primitives::traits::RowsInspect;
	build_and_execute(|| {
		let (datanet, ids) = published_datanet(2);
		let pending = contribute(ALICE, datanet, "later");
		let facts = <Datanets as RowsInspect<_>>::row(datanet, ids[1]).unwrap();
		assert_eq!((facts.contributor, facts.status), (ALICE, RowStatus::Published(1)));
		assert_eq!(
			<Datanets as RowsInspect<_>>::row(datanet, pending).unwrap().status,
			RowStatus::Pending
		);
		assert!(<Datanets as RowsInspect<_>>::row(datanet, 99).is_none());
		assert!(<Datanets as RowsInspect<_>>::row(datanet + 1, 0).is_none());
	});
}

#[test]
fn published_rows_carry_their_declared_lengths() {
	build_and_execute(|| {
		let (datanet, ids) = published_datanet(2);
		let published = <Datanets as DatanetsInspect>::published_rows(datanet, 1);
		assert_eq!(published.len(), 2);
		for (row, id) in published.iter().zip(&ids) {
			let info = Rows::<Test>::get(datanet, id).unwrap();
			assert_eq!(
				(row.row, row.content_hash, row.byte_len),
				(*id, info.content_hash, info.byte_len)
			);
		}
		assert!(<Datanets as DatanetsInspect>::published_rows(datanet, 2).is_empty());
	});
}

/// The off-chain worker turns the sidecar's row reports into `report_row`, once per row, and
/// only those the chain can act on.
mod offchain_worker {
	use super::*;
	use crate::offchain::{SidecarRowReport, MAX_SUBMISSIONS};
	use frame_support::traits::Hooks;
	use serde_json::{json, Value};
	use sp_runtime::testing::UintAuthorityId;
	use tributary_primitives::hex;
	use tributary_worker_client::{api::rows::RowReports, testing::Testbed};

	fn run_offchain_worker(sidecar: &Testbed, block: u64, reports: &Value) {
		sidecar.expect("GET", "/rows/reports", None, json!({ "reports": reports }));
		go_to_block(block);
		Datanets::offchain_worker(block);
	}

	/// Expect the next run to hand `rows` of `datanet` over to the sidecar to check.
	fn expect_hand_over(sidecar: &Testbed, datanet: DatanetId, rows: &[RowId]) {
		let rows: Vec<Value> = rows
			.iter()
			.map(|&row| {
				let info = Rows::<Test>::get(datanet, row).unwrap();
				let hash = hex::encode(&info.content_hash);
				json!({ "datanet": datanet, "row": row, "hash": hash, "contributed_at": info.contributed_at })
			})
			.collect();
		let accepted = json!({ "accepted": rows.len(), "waiting": 0 });
		sidecar.expect("POST", "/rows/check", Some(&json!({ "rows": rows })), accepted);
	}

	fn report_of(datanet: DatanetId, row: RowId, kind: Value) -> Value {
		let mut report = kind;
		report["datanet"] = datanet.into();
		report["row"] = row.into();
		report["hash"] = hex::encode(&Rows::<Test>::get(datanet, row).unwrap().content_hash).into();
		report
	}

	#[test]
	fn sidecar_reports_become_challenge_kinds() {
		let hash = hex::encode(&content_hash(b"x"));
		let answer: RowReports = serde_json::from_value(json!({ "reports": [
			{ "datanet": 1, "row": 2, "hash": hash, "kind": "byte_len_mismatch", "declared": 1, "observed": 9 },
			{ "datanet": 1, "row": 3, "hash": hash, "kind": "byte_len_mismatch", "declared": 1, "observed": 1u64 << 40 },
		] }))
		.unwrap();
		let reports: Vec<SidecarRowReport> = answer.reports.iter().map(Into::into).collect();
		assert_eq!(
			reports[0],
			SidecarRowReport {
				datanet: 1,
				row: 2,
				content_hash: content_hash(b"x"),
				kind: ChallengeKind::ByteLenMismatch { observed: 9 },
			}
		);
		assert_eq!(reports[1].kind, ChallengeKind::ByteLenMismatch { observed: u32::MAX });
	}

	#[test]
	fn an_answer_that_breaks_the_contract_reports_nothing() {
		let mut ext = new_test_ext();
		let sidecar = Testbed::install(&mut ext);
		ext.execute_with(|| {
			let (datanet, id) = published_row(ALICE, "four");
			UintAuthorityId::set_all_keys([WORKER]);
			let good = report_of(datanet, id, json!({ "kind": "unfetchable" }));
			expect_hand_over(&sidecar, datanet, &[id]);
			for (block, bad) in [
				json!({ "datanet": datanet, "row": id, "hash": good["hash"], "kind": "spam" }),
				json!({ "datanet": datanet, "row": id, "hash": "zz", "kind": "unfetchable" }),
				json!({ "datanet": 1u64 << 33, "row": id, "hash": good["hash"], "kind": "unfetchable" }),
				json!({ "row": id, "hash": good["hash"], "kind": "unfetchable" }),
			]
			.into_iter()
			.enumerate()
			{
				run_offchain_worker(&sidecar, 2 + block as u64, &json!([good, bad]));
			}
			assert!(sidecar.submitted::<Extrinsic>().is_empty());
			check_invariants();
		});
	}

	#[test]
	fn an_active_worker_reports_what_its_jobs_saw_once_per_row() {
		let mut ext = new_test_ext();
		let sidecar = Testbed::install(&mut ext);
		ext.execute_with(|| {
			let datanet = create(OWNER, b"med", Visibility::Public);
			let text = "thirty bytes of real row text!";
			let liar = contribute_declaring(ALICE, datanet, text, 1);
			let gone = contribute(ALICE, datanet, "bytes nobody stores");
			let honest = contribute(BOB, datanet, "bob row");
			let pending = contribute(BOB, datanet, "pending");
			assert_ok!(Datanets::approve(RuntimeOrigin::signed(OWNER), datanet, rows(&[liar, gone, honest])));
			assert_ok!(Datanets::publish_version(RuntimeOrigin::signed(OWNER), datanet));
			let mismatch = json!({ "kind": "byte_len_mismatch", "declared": 1, "observed": text.len() });
			let mut wrong_hash = report_of(datanet, honest, json!({ "kind": "unfetchable" }));
			wrong_hash["hash"] = hex::encode(&content_hash(b"another row")).into();
			let reports = json!([
				report_of(datanet, liar, mismatch),
				report_of(datanet, gone, json!({ "kind": "unfetchable" })),
				// Nothing the chain could act on: a length equal to the declared one, a row that
				// is not the one the sidecar saw, a pending row, an unknown row.
				report_of(datanet, honest, json!({ "kind": "byte_len_mismatch", "declared": 7, "observed": 7 })),
				wrong_hash,
				report_of(datanet, pending, json!({ "kind": "unfetchable" })),
				{ "datanet": datanet, "row": 99, "hash": hex::encode(&content_hash(b"x")), "kind": "unfetchable" },
			]);

			// Without an active worker key nothing is asked or sent.
			UintAuthorityId::set_all_keys([SUSPENDED_WORKER]);
			go_to_block(2);
			Datanets::offchain_worker(2);
			assert!(sidecar.submitted::<Extrinsic>().is_empty());

			UintAuthorityId::set_all_keys([SUSPENDED_WORKER, WORKER]);
			expect_hand_over(&sidecar, datanet, &[liar, gone, honest, pending]);
			run_offchain_worker(&sidecar, 3, &reports);
			let expected = vec![
				(
					Some(WORKER),
					RuntimeCall::Datanets(Call::report_row {
						datanet,
						row: liar,
						kind: ChallengeKind::ByteLenMismatch { observed: text.len() as u32 },
					}),
				),
				(Some(WORKER), RuntimeCall::Datanets(Call::report_row { datanet, row: gone, kind: ChallengeKind::Unfetchable })),
			];
			assert_eq!(sidecar.submitted::<Extrinsic>(), expected);

			// The transactions are in no block yet: no resubmission before the backoff.
			run_offchain_worker(&sidecar, 4, &reports);
			assert_eq!(sidecar.submitted::<Extrinsic>().len(), 2);

			// Once the chain shows the worker's challenge, the row is done for good, even after
			// the judge rejects it (a second report would only lose a second bond).
			for (row, call) in [liar, gone].into_iter().zip(&expected) {
				let RuntimeCall::Datanets(Call::report_row { kind, .. }) = call.1 else { unreachable!() };
				assert_ok!(Datanets::report_row(RuntimeOrigin::signed(WORKER), datanet, row, kind));
			}
			run_offchain_worker(&sidecar, 5, &reports);
			judge(datanet, liar, true);
			judge(datanet, gone, false);
			for block in 6..60 {
				run_offchain_worker(&sidecar, block, &reports);
			}
			assert_eq!(sidecar.submitted::<Extrinsic>().len(), 2, "each row reported once");
			check_invariants();
		});
	}

	/// Rows are handed over once each, new ones as they come; a near-duplicate the sidecar
	/// found is reported once the chain would accept it (its original approved, the copy too).
	#[test]
	fn rows_are_handed_over_and_near_duplicates_reported() {
		let mut ext = new_test_ext();
		let sidecar = Testbed::install(&mut ext);
		ext.execute_with(|| {
			let (datanet, original) = published_row(ALICE, "the original row's words");
			let copy = contribute(BOB, datanet, "the original row's wordz");
			UintAuthorityId::set_all_keys([WORKER]);
			let near = |similarity: u32| {
				report_of(
					datanet,
					copy,
					json!({ "kind": "near_duplicate", "original_datanet": datanet, "original": original, "similarity_ppm": similarity }),
				)
			};
			expect_hand_over(&sidecar, datanet, &[original, copy]);
			// Pending, the copy cannot be challenged yet: curators see the check first.
			run_offchain_worker(&sidecar, 2, &json!([near(950_000)]));
			assert!(sidecar.submitted::<Extrinsic>().is_empty());

			let later = contribute(ALICE, datanet, "a later row");
			assert_ok!(Datanets::approve(RuntimeOrigin::signed(CURATOR), datanet, rows(&[copy])));
			expect_hand_over(&sidecar, datanet, &[later]);
			// Below the chain's threshold nothing is sent; at it, the report goes out.
			run_offchain_worker(&sidecar, 3, &json!([near(NEAR_DUPLICATE_THRESHOLD - 1)]));
			assert!(sidecar.submitted::<Extrinsic>().is_empty());
			run_offchain_worker(&sidecar, 4, &json!([near(950_000)]));
			assert_eq!(
				sidecar.submitted::<Extrinsic>(),
				vec![(
					Some(WORKER),
					RuntimeCall::Datanets(Call::report_row {
						datanet,
						row: copy,
						kind: ChallengeKind::NearDuplicate {
							original_datanet: datanet,
							original,
							similarity_ppm: 950_000,
						},
					})
				)]
			);
			check_invariants();
		});
	}

	#[test]
	fn a_report_that_never_lands_is_retried_a_bounded_number_of_times() {
		let mut ext = new_test_ext();
		let sidecar = Testbed::install(&mut ext);
		ext.execute_with(|| {
			let (datanet, id) = published_row(ALICE, "four");
			let reports = json!([report_of(datanet, id, json!({ "kind": "unfetchable" }))]);
			UintAuthorityId::set_all_keys([WORKER]);
			expect_hand_over(&sidecar, datanet, &[id]);
			for block in 2..200 {
				run_offchain_worker(&sidecar, block, &reports);
			}
			assert_eq!(sidecar.submitted::<Extrinsic>().len(), MAX_SUBMISSIONS as usize);
			check_invariants();
		});
	}
}

/// `try_state` (run after every test and every block left here) finds a broken invariant and
/// names it with its key.
mod try_state {
	use super::*;

	/// The invariant `do_try_state` finds broken.
	fn broken() -> &'static str {
		match Datanets::do_try_state() {
			Err(DispatchError::Other(message)) => message,
			other => panic!("expected a broken invariant, got {other:?}"),
		}
	}

	#[test]
	fn broken_counters_indexes_versions_and_holds_are_caught() {
		new_test_ext().execute_with(|| {
			let (datanet, ids) = published_datanet(2);
			let pending = contribute(BOB, datanet, "pending row");
			challenge(CHALLENGER, datanet, ids[1], ChallengeKind::Spam);
			assert_ok!(Datanets::do_try_state());

			// The id counter would hand out the datanet's id again.
			NextDatanetId::<Test>::put(datanet);
			assert_eq!(
				broken(),
				format!("Datanet {datanet}: id not below NextDatanetId {datanet}")
			);
			NextDatanetId::<Test>::put(datanet + 1);

			// A row missing from the content-hash index.
			let hash = Rows::<Test>::get(datanet, ids[0]).unwrap().content_hash;
			RowByHash::<Test>::remove(hash);
			assert_eq!(
				broken(),
				format!(
					"Rows ({datanet}, {}): RowByHash does not map its content hash to it",
					ids[0]
				)
			);
			RowByHash::<Test>::insert(hash, (datanet, ids[0]));

			// A version whose rows do not give its merkle root.
			let version = Versions::<Test>::get(datanet, 1).unwrap();
			Versions::<Test>::mutate(datanet, 1, |info| {
				info.as_mut().unwrap().merkle_root = [0; 32]
			});
			assert_eq!(
				broken(),
				format!("Versions ({datanet}, 1): merkle_root is not the root of its rows")
			);
			Versions::<Test>::insert(datanet, 1, version);

			// A deposit recorded but not held.
			Rows::<Test>::mutate(datanet, pending, |info| info.as_mut().unwrap().deposit += 1);
			let held = held(HoldReason::RowDeposit, BOB);
			assert_eq!(
				broken(),
				format!("RowDeposit hold of {BOB:?}: {held:?} held, {:?} recorded", held + 1)
			);
			Rows::<Test>::mutate(datanet, pending, |info| info.as_mut().unwrap().deposit -= 1);

			// A challenge of a row that is still pending.
			let open = Challenges::<Test>::take(datanet, ids[1]).unwrap();
			Challenges::<Test>::insert(datanet, pending, open);
			assert!(
				broken().starts_with(&format!("Challenges ({datanet}, {pending}): ")),
				"{}",
				broken()
			);
		});
	}
}
