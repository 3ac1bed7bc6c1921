//! The origins of the non-root referendum tracks, and whether the tracks run at their production
//! periods or at the minutes of a development network.

pub use pallet_governance::*;

#[frame_support::pallet]
pub mod pallet_governance {
	use frame_support::pallet_prelude::*;

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// The layout of the pallet's storage: version 0 is the layout it launched with.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// What a referendum on a non-root track dispatches with.
	#[derive(
		PartialEq, Eq, Clone, MaxEncodedLen, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug,
	)]
	#[pallet::origin]
	pub enum Origin {
		/// The parameters track: the project pallets' economics (deposits, fees, bonds, slashes,
		/// windows, numbers of verifiers and recomputers, the fee split).
		ParameterAdmin,
		/// The catalogue track: which base models may be fine-tuned, and the moderation of
		/// datanets (deciding challenged rows).
		Catalogue,
		/// The treasury track: spends from the treasury.
		Treasurer,
		/// The validator admin track: who validates.
		ValidatorAdmin,
		/// The whitelisted caller track: calls the technical committee whitelisted, dispatched
		/// as root after a short referendum.
		WhitelistedCaller,
	}

	/// Whether every track and voting period runs at the minutes of a development network
	/// instead of its production days (set by the genesis preset, never changed after).
	#[pallet::storage]
	pub type FastPeriods<T> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Development networks decide and enact a referendum within about two minutes.
		pub fast_periods: bool,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			FastPeriods::<T>::put(self.fast_periods);
		}
	}
}

/// One `EnsureOrigin` per track origin, each admitting exactly its variant.
macro_rules! ensure_track_origin {
	($($name:ident),* $(,)?) => {$(
		#[doc = concat!("Admits the `", stringify!($name), "` origin of a referendum on its track.")]
		pub struct $name;

		impl<O: Into<Result<Origin, O>> + From<Origin>> frame_support::traits::EnsureOrigin<O>
			for $name
		{
			type Success = ();

			fn try_origin(origin: O) -> Result<Self::Success, O> {
				origin.into().and_then(|origin| match origin {
					Origin::$name => Ok(()),
					other => Err(O::from(other)),
				})
			}

			#[cfg(feature = "runtime-benchmarks")]
			fn try_successful_origin() -> Result<O, ()> {
				Ok(O::from(Origin::$name))
			}
		}
	)*};
}

ensure_track_origin!(ParameterAdmin, Catalogue, Treasurer, ValidatorAdmin, WhitelistedCaller);
