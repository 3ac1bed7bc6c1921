// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Tributary's models (pallet-models) for Solidity, at
/// 0x0000000000000000000000000000000054020000. Amounts are in wei (1 TRIB = 10^18 wei, as
/// `msg.value`); errors and static calls as in IDatanets.
interface IModels {
    /// `models.createModel`: a model owned by the caller and its first fine-tune job on the given
    /// datanet versions (`datanetIds[i]` at `versionIds[i]`), with the default training settings;
    /// `feeWei` is held from the caller until the job ends.
    function createModel(
        string calldata name,
        uint32 baseModel,
        uint32[] calldata datanetIds,
        uint32[] calldata versionIds,
        uint256 feeWei
    ) external returns (uint32 modelId, uint64 jobId);

    /// A model: versions are numbered `1..=versionCount`; `priced` is false until its owner sets
    /// an inference price.
    function model(uint32 modelId)
        external
        view
        returns (address owner, string memory name, uint32 versionCount, bool priced, uint256 pricePer1kTokensWei);

    /// A trained and verified model version: its adapter and the job that made it.
    function modelVersion(uint32 modelId, uint32 versionId)
        external
        view
        returns (bytes32 adapterHash, uint64 adapterBytes, uint64 jobId, uint64 evalLossPpb);
}
