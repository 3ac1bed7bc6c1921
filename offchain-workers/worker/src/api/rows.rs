//! Rows as this sidecar sees their bytes: contribution-time checks (quality signals and
//! near-duplicates of earlier rows, tributary-jobs' `row_checks`) and the reports made for the
//! chain.

use super::error::{parse_json, ApiError};
use super::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tributary_sidecar_api::rows::{RowReports, RowsToCheck};

/// `POST /rows/check`: books rows the chain's off-chain worker saw contributed; answers 202 with
/// how many were new and how many of all booked rows wait for their bytes.
pub async fn check_rows(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
	let request: RowsToCheck = parse_json(&body)?;
	let checks = state.jobs.row_checks.clone();
	let accepted = tokio::task::spawn_blocking(move || checks.submit(&request.rows))
		.await
		.expect("booking row checks does not panic")
		.map_err(|error| {
			ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", error.to_string())
		})?;
	Ok((StatusCode::ACCEPTED, Json(accepted)).into_response())
}

/// `GET /rows/{datanet}/{row}`: the check of one row (quality signals, the closest earlier row
/// and whether it is a near-duplicate), for curators deciding on it.
pub async fn row_check(
	State(state): State<AppState>,
	Path((datanet, row)): Path<(u32, u64)>,
) -> Result<Response, ApiError> {
	let check = state.jobs.row_checks.get(datanet, row).ok_or_else(|| {
		ApiError::new(
			StatusCode::NOT_FOUND,
			"invalid_request_error",
			format!(
				"datanet {datanet} row {row} was never handed to this sidecar to check; the \
				 chain's off-chain worker hands over each row a few blocks after it is contributed"
			),
		)
	})?;
	Ok(Json(check).into_response())
}

/// `GET /rows/reports`: the rows found at odds with the chain (wrong length, unfetchable,
/// near-duplicate of an earlier row), in (datanet, row) order.
pub async fn row_reports(State(state): State<AppState>) -> Response {
	Json(RowReports { reports: state.jobs.row_reports() }).into_response()
}
