// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Tributary's rewards (pallet-rewards) for Solidity, at
/// 0x0000000000000000000000000000000054030000. Amounts are in wei; errors and static calls as in
/// IDatanets.
interface IRewards {
    /// What `account` can claim now.
    function claimable(address account) external view returns (uint256 amountWei);

    /// `rewards.claim`: pays what is accrued to `beneficiary` to it.
    function claim(address beneficiary) external;
}
