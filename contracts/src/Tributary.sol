// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import {IDatanets} from "../interfaces/IDatanets.sol";
import {IModels} from "../interfaces/IModels.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IAttribution} from "../interfaces/IAttribution.sol";

/// Where Tributary's pallets answer Solidity calls: each precompile's address is sixteen zero
/// bytes, then 0x54 ("T") and the pallet's number, then two zero bytes.
library Tributary {
    IDatanets internal constant DATANETS = IDatanets(0x0000000000000000000000000000000054010000);
    IModels internal constant MODELS = IModels(0x0000000000000000000000000000000054020000);
    IRewards internal constant REWARDS = IRewards(0x0000000000000000000000000000000054030000);
    IAttribution internal constant ATTRIBUTION = IAttribution(0x0000000000000000000000000000000054040000);

    /// `IDatanets.row`'s status of a row whose deposit was slashed after an upheld challenge.
    uint8 internal constant ROW_SLASHED = 3;
}
