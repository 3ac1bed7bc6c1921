// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {Tributary} from "./Tributary.sol";

/// A bounty for a datanet's contributors. A sponsor escrows native tokens (TRIB, in wei); once
/// `endBlock` is reached anyone may settle it: the escrow is shared among the datanet's rows in
/// proportion to the attribution each row has earned so far (the sum of its parts-per-billion
/// scores over final Proof of Attribution records, read from the attribution precompile), and
/// each share is sent to the row's contributor. What is not paid out (rounding, sends that
/// failed, or everything when no row has earned attribution) goes back to the sponsor.
///
/// Rows that do not exist (rejected or withdrawn) and rows whose deposit was slashed earn
/// nothing. A datanet with more than `maxRows` rows cannot be settled by this contract.
contract DatanetBounty {
    /// The most rows `settle` walks through (it reads each row and its attribution).
    uint64 public constant maxRows = 256;

    address payable public immutable sponsor;
    uint32 public immutable datanetId;
    uint256 public immutable endBlock;

    bool public settled;
    /// The sponsor's remainder, when sending it during `settle` failed; see `claimRefund`.
    uint256 public pendingRefund;

    event Funded(address from, uint256 amount);
    event Paid(address indexed contributor, uint64 indexed rowId, uint256 amount);
    event Settled(uint256 totalScore, uint256 paid, uint256 refunded);

    error NoValue();
    error BountyEnded(uint256 endBlock);
    error NotEnded(uint256 endBlock, uint256 currentBlock);
    error AlreadySettled();
    error TooManyRows(uint64 rowCount, uint64 maxRows);
    error NotSponsor();
    error NothingToRefund();
    error RefundFailed();

    /// Escrows `msg.value` for datanet `datanetId_` until `durationBlocks` blocks from now.
    /// Reverts with the precompile's reason ("Datanets.UnknownDatanet") if the datanet does not
    /// exist.
    constructor(uint32 datanetId_, uint256 durationBlocks) payable {
        if (msg.value == 0) revert NoValue();
        Tributary.DATANETS.datanet(datanetId_);
        sponsor = payable(msg.sender);
        datanetId = datanetId_;
        endBlock = block.number + durationBlocks;
        emit Funded(msg.sender, msg.value);
    }

    /// Adds `msg.value` to the escrow; anyone may, until `endBlock`.
    function fund() external payable {
        if (msg.value == 0) revert NoValue();
        if (settled || block.number >= endBlock) revert BountyEnded(endBlock);
        emit Funded(msg.sender, msg.value);
    }

    /// What is escrowed now, in wei (0 once settled).
    function escrow() external view returns (uint256) {
        return settled ? 0 : address(this).balance;
    }

    /// Pays the escrow out: row `r` earns `escrow * score(r) / totalScore`, sent to its
    /// contributor; the rest goes to the sponsor. Anyone may call it once `endBlock` is reached;
    /// it runs once.
    function settle() external {
        if (settled) revert AlreadySettled();
        if (block.number < endBlock) revert NotEnded(endBlock, block.number);
        settled = true;

        (,, uint64 rowCount,) = Tributary.DATANETS.datanet(datanetId);
        if (rowCount > maxRows) revert TooManyRows(rowCount, maxRows);

        uint256 escrowed = address(this).balance;
        address[] memory contributors = new address[](rowCount);
        uint64[] memory scores = new uint64[](rowCount);
        uint256 totalScore;
        for (uint64 r = 0; r < rowCount; r++) {
            (bool exists, address contributor) = _payableRow(r);
            if (!exists) continue;
            uint64 score = Tributary.ATTRIBUTION.rowAttribution(datanetId, r);
            contributors[r] = contributor;
            scores[r] = score;
            totalScore += score;
        }

        uint256 paid;
        if (totalScore > 0) {
            for (uint64 r = 0; r < rowCount; r++) {
                if (scores[r] == 0) continue;
                uint256 amount = escrowed * scores[r] / totalScore;
                if (amount == 0) continue;
                // A contributor that cannot receive loses its share to the sponsor; it does not
                // block everyone else's.
                (bool ok,) = payable(contributors[r]).call{value: amount}("");
                if (ok) {
                    paid += amount;
                    emit Paid(contributors[r], r, amount);
                }
            }
        }

        uint256 refund = address(this).balance;
        if (refund > 0) {
            (bool ok,) = sponsor.call{value: refund}("");
            if (!ok) pendingRefund = refund;
        }
        emit Settled(totalScore, paid, refund);
    }

    /// Sends the sponsor's remainder to `to` when sending it during `settle` failed.
    function claimRefund(address payable to) external {
        if (msg.sender != sponsor) revert NotSponsor();
        uint256 amount = pendingRefund;
        if (amount == 0) revert NothingToRefund();
        pendingRefund = 0;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert RefundFailed();
    }

    /// Whether row `r` exists and is not slashed, and its contributor. `IDatanets.row` reverts
    /// for rows that were rejected or withdrawn.
    function _payableRow(uint64 r) private view returns (bool, address) {
        try Tributary.DATANETS.row(datanetId, r) returns (address contributor, bytes32, uint32, uint8 status) {
            return (status != Tributary.ROW_SLASHED, contributor);
        } catch {
            return (false, address(0));
        }
    }
}
