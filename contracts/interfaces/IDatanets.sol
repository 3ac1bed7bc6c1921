// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Tributary's datanets (pallet-datanets) for Solidity, at
/// 0x0000000000000000000000000000000054010000.
///
/// Each function has the effect of the pallet call of the same name signed by `msg.sender`
/// (deposits are held from it). A pallet error reverts with `Error(string)`, the reason being the
/// pallet and error names, e.g. "Datanets.NameTaken". State-changing functions revert in a
/// static call.
interface IDatanets {
    /// `datanets.createDatanet`: a public datanet named `name`, owned by the caller.
    function createDatanet(string calldata name, string calldata summary, string calldata license)
        external
        returns (uint32 datanetId);

    /// `datanets.contribute`: one row (the bytes stay off chain; `contentHash` is their
    /// blake2-256), unlabelled. The caller is its contributor.
    function contribute(uint32 datanetId, bytes32 contentHash, uint32 byteLength)
        external
        returns (uint64 rowId);

    /// `datanets.approve`, by the datanet's owner or a curator.
    function approve(uint32 datanetId, uint64[] calldata rowIds) external;

    /// `datanets.publishVersion`: the approved rows become the next version.
    function publishVersion(uint32 datanetId) external returns (uint32 versionId);

    /// A datanet: rows are numbered `0..rowCount`, versions `1..=versionCount`.
    function datanet(uint32 datanetId)
        external
        view
        returns (address owner, string memory name, uint64 rowCount, uint32 versionCount);

    /// A row; `status`: 0 pending, 1 approved, 2 published, 3 slashed. Reverts with
    /// "Datanets.UnknownRow" for a row that does not exist (or was rejected or withdrawn).
    function row(uint32 datanetId, uint64 rowId)
        external
        view
        returns (address contributor, bytes32 contentHash, uint32 byteLength, uint8 status);

    /// A published version: the merkle root of its rows' content hashes, and the block it was
    /// published in.
    function version(uint32 datanetId, uint32 versionId)
        external
        view
        returns (bytes32 merkleRoot, uint32 rowCount, uint64 totalBytes, uint32 publishedAt);
}
