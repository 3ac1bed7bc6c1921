// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IDatanets} from "../interfaces/IDatanets.sol";
import {Tributary} from "./Tributary.sol";

/// A helper for the EVM tests: calls the datanets precompile the ways a dapp might, and emits an
/// event for log queries.
contract PrecompileProbe {
    event Pinged(address indexed from, uint256 x);

    /// Tries `createDatanet` in a static call, which must fail: a precompile cannot write state
    /// there. Returns the low-level outcome (the revert data when `ok` is false).
    function staticCreateDatanet(string calldata name) external view returns (bool ok, bytes memory returnData) {
        (ok, returnData) = address(Tributary.DATANETS).staticcall(
            abi.encodeCall(IDatanets.createDatanet, (name, "s", "MIT"))
        );
    }

    /// Creates a datanet owned by this contract's own account.
    function createDatanet(string calldata name) external returns (uint32) {
        return Tributary.DATANETS.createDatanet(name, "s", "MIT");
    }

    function ping(uint256 x) external {
        emit Pinged(msg.sender, x);
    }

    /// Accepts TRIB, so the contract's account can hold the deposit of the datanets it creates.
    receive() external payable {}
}
