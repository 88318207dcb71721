//! Rows → domain values, by parsing: a row that no longer parses is `StoreError::CorruptRow`.

use domain::{ActivityBand, Etp, Finess, InseeCommune, Period, Rpps, Siret, StructureFields, UnknownCode, WeeklyTime};

use crate::entities::{practitioner, structure};
use crate::{StoreError, StoreResult};

pub(crate) struct RowContext {
    pub table: &'static str,
    pub id: i32,
}

impl RowContext {
    pub fn new(table: &'static str, id: i32) -> Self {
        Self { table, id }
    }

    pub fn corrupt(&self, reason: impl ToString) -> StoreError {
        StoreError::CorruptRow { table: self.table, id: i64::from(self.id), reason: reason.to_string() }
    }

    pub fn code<T>(&self, parse: fn(&str) -> Result<T, UnknownCode>, value: &str) -> StoreResult<T> {
        parse(value).map_err(|e| self.corrupt(e))
    }

    pub fn parse<T, E: ToString>(&self, parse: fn(&str) -> Result<T, E>, value: &str) -> StoreResult<T> {
        parse(value).map_err(|e| self.corrupt(e))
    }

    pub fn period(&self, from: chrono::NaiveDate, to: Option<chrono::NaiveDate>) -> StoreResult<Period> {
        Period::new(from, to).map_err(|e| self.corrupt(e))
    }

    pub fn weekly_time(&self, minutes: i32) -> StoreResult<WeeklyTime> {
        let minutes = u32::try_from(minutes).map_err(|e| self.corrupt(e))?;
        WeeklyTime::from_minutes(minutes).map_err(|e| self.corrupt(e))
    }

    pub fn count(&self, value: Option<i32>) -> StoreResult<Option<u32>> {
        value.map(|v| u32::try_from(v).map_err(|e| self.corrupt(e))).transpose()
    }

    pub fn etp(&self, value: &str) -> StoreResult<Etp> {
        Etp::parse(value).map_err(|e| self.corrupt(e))
    }

    pub fn band(&self, value: Option<&str>) -> StoreResult<Option<ActivityBand>> {
        value.map(|v| self.code(ActivityBand::from_code, v)).transpose()
    }
}

pub(crate) fn structure_from_row(row: structure::Model) -> StoreResult<domain::Structure> {
    let cx = RowContext::new("structures", row.id);
    Ok(domain::Structure {
        id: domain::StructureId(i64::from(row.id)),
        fields: StructureFields {
            kind: cx.code(domain::StructureKind::from_code, &row.kind)?,
            legal_form: cx.code(domain::LegalForm::from_code, &row.legal_form)?,
            name: row.name,
            finess: row.finess.as_deref().map(|v| cx.parse(Finess::parse, v)).transpose()?,
            siret: row.siret.as_deref().map(|v| cx.parse(Siret::parse, v)).transpose()?,
            commune: cx.parse(InseeCommune::parse, &row.commune)?,
            projet_sante_validated_on: row.projet_sante_validated_on,
            sisa_employer_group: row.sisa_employer_group,
            training_site: row.training_site,
        },
    })
}

pub(crate) fn practitioner_from_row(row: practitioner::Model) -> StoreResult<domain::Practitioner> {
    let cx = RowContext::new("practitioners", row.id);
    Ok(domain::Practitioner {
        id: domain::PractitionerId(i64::from(row.id)),
        fields: domain::PractitionerFields {
            rpps: cx.parse(Rpps::parse, &row.rpps)?,
            first_name: row.first_name,
            last_name: row.last_name,
            specialty: cx.code(domain::Specialty::from_code, &row.specialty)?,
            sector: cx.code(domain::ConventionSector::from_code, &row.sector)?,
            optam: cx.code(domain::Optam::from_code, &row.optam)?,
            practice_mode: cx.code(domain::PracticeMode::from_code, &row.practice_mode)?,
            mep: row.mep,
            installed_on: row.installed_on,
            birth_year: row.birth_year,
            rqth: row.rqth,
        },
    })
}

/// Converts a count for storage. The API bounds counts far below `i32::MAX`; a larger value
/// here is a caller bug, refused rather than clamped.
pub(crate) fn count_to_db(value: Option<u32>) -> StoreResult<Option<i32>> {
    value
        .map(|v| {
            i32::try_from(v)
                .map_err(|_| StoreError::Database(sea_orm::DbErr::Custom(format!("count {v} out of range"))))
        })
        .transpose()
}
