// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Tributary's Proof of Attribution records (pallet-attribution) for Solidity, read only, at
/// 0x0000000000000000000000000000000054040000.
interface IAttribution {
    /// An attribution record; `status`: 0 pending, 1 disputed, 2 upheld, 3 final (paid),
    /// 4 rejected. Reverts with "Attribution.UnknownRecord" for an unknown id.
    function record(uint64 recordId)
        external
        view
        returns (address user, uint32 modelId, uint32 modelVersion, uint8 status, uint256 feeWei);

    /// The record's top rows with their scores in parts per billion, best first.
    function topRows(uint64 recordId)
        external
        view
        returns (uint32[] memory datanetIds, uint64[] memory rowIds, uint32[] memory scoresPpb);

    /// The sum of a row's scores (parts per billion) over every final record.
    function rowAttribution(uint32 datanetId, uint64 rowId) external view returns (uint64 scorePpb);
}
