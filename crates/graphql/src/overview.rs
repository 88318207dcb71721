//! A structure's overview of a day (its team, dashboard, funding records, money table and traced
//! months) worked out at most once per request: `Structure.compatibility`, `Structure.money` and
//! `StructureStanding.compatibility` all read it, and a coordinator's screen selects them together.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::Context;
use chrono::NaiveDate;
use domain::{Structure, StructureId};
use planning::funding::Overview;
use tokio::sync::OnceCell;

use crate::auth::{store, viewer};
use crate::error::{ApiError, ApiResult};
use crate::simulation::rule_book;

/// Per request: one cell per (structure, day), filled by the first field that needs it while the
/// others wait for it. A failed read is not kept: the next field tries again.
#[derive(Debug, Default)]
pub struct Overviews(Mutex<HashMap<(StructureId, NaiveDate), Arc<Cell>>>);

type Cell = OnceCell<Arc<Overview>>;

/// The overview of `structure` on `day`, for the request's viewer.
pub async fn of(ctx: &Context<'_>, structure: &Structure, day: NaiveDate) -> ApiResult<Arc<Overview>> {
    let cell = match ctx.data_opt::<Overviews>() {
        Some(cache) => {
            let mut cells = cache.0.lock().map_err(|_| ApiError::internal(&"overview cache poisoned"))?;
            Arc::clone(cells.entry((structure.id, day)).or_default())
        }
        // Outside a request built by `request_data` (tests of single fields): no sharing.
        None => Arc::new(Cell::new()),
    };
    let overview = cell
        .get_or_try_init(|| async {
            let book = rule_book(ctx)?;
            let o = planning::funding::overview(store(ctx)?, &viewer(ctx)?.visibility, book, structure, day).await?;
            Ok::<_, ApiError>(Arc::new(o))
        })
        .await?;
    Ok(Arc::clone(overview))
}
