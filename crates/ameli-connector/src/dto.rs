//! Wire shapes of the CPAM contract (`contract/openapi.json`) and their mapping into domain
//! types. Mapping parses: a malformed identifier, code or date is `CpamError::InvalidResponse`,
//! never a panic and never a silently wrong value.

use chrono::NaiveDate;
use domain::rules::individual::Zone;
use domain::{
    ActivityBand, AidOption, AmNumber, ContractKind, ContractStatus, ConventionSector, Etp, Finess, InseeCommune,
    Optam, PracticeMode, Rpps, Specialty, UnknownCode,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::CpamError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PractitionerDto {
    pub rpps: String,
    pub last_name: String,
    pub first_name: String,
    pub specialty: String,
    pub sector: String,
    pub optam: String,
    pub practice_mode: String,
    pub mep: bool,
    #[serde(default)]
    pub installed_on: Option<NaiveDate>,
    #[serde(default)]
    pub commune: Option<String>,
    pub am_numbers: Vec<AmNumberDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmNumberDto {
    pub number: String,
    #[serde(default)]
    pub commune: Option<String>,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDto {
    pub rpps: String,
    pub year: i32,
    #[serde(default)]
    pub pmt: Option<u32>,
    #[serde(default)]
    pub adult_pmt: Option<u32>,
    #[serde(default)]
    pub file_active: Option<u32>,
    #[serde(default)]
    pub ccam_share: Option<String>,
    #[serde(default)]
    pub band: Option<String>,
    pub reference_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DistributionDto {
    pub specialty: String,
    pub year: i32,
    pub indicator: String,
    pub reference_date: NaiveDate,
    pub percentiles: PercentilesDto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PercentilesDto {
    pub p30: u32,
    pub p50: u32,
    pub p70: u32,
    pub p90: u32,
    pub p95: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoningDto {
    pub commune: String,
    pub date: NaiveDate,
    pub zone: String,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub decision: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractDto {
    pub reference: String,
    pub kind: String,
    #[serde(default)]
    pub rpps: Option<String>,
    #[serde(default)]
    pub finess: Option<String>,
    #[serde(default)]
    pub option: Option<String>,
    #[serde(default)]
    pub funded_etp: Option<String>,
    #[serde(default)]
    pub members: Vec<String>,
    pub signed_on: NaiveDate,
    pub status: String,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractListDto {
    pub contracts: Vec<ContractDto>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AciContractDto {
    /// The CPAM's reference of the contract, how a hand-typed copy is matched to it.
    pub reference: String,
    pub finess: String,
    pub signed_on: NaiveDate,
    pub points_by_year: Vec<AciPointsDto>,
    pub coordination_function: CoordinationDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AciPointsDto {
    pub year: i32,
    pub points: u32,
    #[serde(default)]
    pub paid: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoordinationDto {
    pub declared: bool,
    #[serde(default)]
    pub etp: Option<String>,
    #[serde(default)]
    pub holder: Option<String>,
}

/// The uniform error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDto {
    pub code: String,
    pub message: String,
}

// ---------------------------------------------------------------- mapped results

/// A practitioner as the CPAM knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamPractitioner {
    pub rpps: Rpps,
    pub last_name: String,
    pub first_name: String,
    pub specialty: Specialty,
    pub sector: ConventionSector,
    pub optam: Optam,
    pub practice_mode: PracticeMode,
    pub mep: bool,
    pub installed_on: Option<NaiveDate>,
    pub commune: Option<InseeCommune>,
    pub am_numbers: Vec<(AmNumber, NaiveDate, Option<NaiveDate>)>,
}

/// A practitioner's figures for a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamActivity {
    pub year: i32,
    pub pmt: Option<u32>,
    pub adult_pmt: Option<u32>,
    pub file_active: Option<u32>,
    /// Share of CCAM fees in basis points.
    pub ccam_share_bp: Option<u32>,
    pub band: Option<ActivityBand>,
    pub reference_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamZoning {
    pub commune: InseeCommune,
    pub zone: Zone,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub decision: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamContract {
    pub reference: String,
    pub kind: ContractKind,
    pub rpps: Option<Rpps>,
    pub finess: Option<Finess>,
    pub option: Option<AidOption>,
    pub funded_etp: Option<Etp>,
    pub members: Vec<Rpps>,
    pub signed_on: NaiveDate,
    pub status: ContractStatus,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamDistribution {
    pub specialty: Specialty,
    pub year: i32,
    pub indicator: String,
    pub reference_date: NaiveDate,
    pub percentiles: PercentilesDto,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamAciContract {
    pub reference: String,
    pub finess: Finess,
    pub signed_on: NaiveDate,
    pub years: Vec<CpamAciYear>,
    pub coordination_declared: bool,
    pub coordination_etp: Option<Etp>,
    pub coordination_holder: Option<String>,
}

/// Points an ACI contract scored in a year and what was paid for them, when paid yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpamAciYear {
    pub year: i32,
    pub points: u32,
    pub paid: Option<Decimal>,
}

fn invalid(what: &str, detail: impl std::fmt::Display) -> CpamError {
    CpamError::InvalidResponse(format!("{what}: {detail}"))
}

fn code<T>(what: &str, parse: fn(&str) -> Result<T, UnknownCode>, value: &str) -> Result<T, CpamError> {
    parse(value).map_err(|e| invalid(what, e))
}

/// Parses an identifier from a response; the request's identifier must come back unchanged.
pub(crate) fn same_rpps(expected: &Rpps, got: &str) -> Result<Rpps, CpamError> {
    let got = Rpps::parse(got).map_err(|e| invalid("rpps", e.reason))?;
    if &got != expected {
        return Err(invalid("rpps", format!("asked for {expected}, the answer is about {got}")));
    }
    Ok(got)
}

fn share_bp(value: &str) -> Result<u32, CpamError> {
    let (int, frac) = value.trim().split_once('.').unwrap_or((value.trim(), ""));
    if int != "0" && int != "1" || frac.len() > 4 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("ccamShare", format!("`{value}` is not a share between 0 and 1")));
    }
    let frac: u32 =
        if frac.is_empty() { 0 } else { format!("{frac:0<4}").parse().map_err(|e| invalid("ccamShare", e))? };
    let bp = if int == "1" { 10_000 + frac } else { frac };
    if bp > 10_000 {
        return Err(invalid("ccamShare", format!("`{value}` is above 1")));
    }
    Ok(bp)
}

/// A euro amount as the contract writes it (`"68950.00"`): exact, never negative.
fn amount(value: &str) -> Result<Decimal, CpamError> {
    let parsed: Decimal = value.trim().parse().map_err(|e| invalid("paid", format!("`{value}`: {e}")))?;
    if parsed.is_sign_negative() {
        return Err(invalid("paid", format!("`{value}` is negative")));
    }
    Ok(parsed)
}

impl PractitionerDto {
    pub fn into_domain(self, expected: &Rpps) -> Result<CpamPractitioner, CpamError> {
        Ok(CpamPractitioner {
            rpps: same_rpps(expected, &self.rpps)?,
            last_name: self.last_name,
            first_name: self.first_name,
            specialty: code("specialty", Specialty::from_code, &self.specialty)?,
            sector: code("sector", ConventionSector::from_code, &self.sector)?,
            optam: code("optam", Optam::from_code, &self.optam)?,
            practice_mode: code("practiceMode", PracticeMode::from_code, &self.practice_mode)?,
            mep: self.mep,
            installed_on: self.installed_on,
            commune: self
                .commune
                .as_deref()
                .map(InseeCommune::parse)
                .transpose()
                .map_err(|e| invalid("commune", e.reason))?,
            am_numbers: self
                .am_numbers
                .into_iter()
                .map(|a| {
                    Ok((
                        AmNumber::parse_doctor(&a.number).map_err(|e| invalid("amNumbers", e.reason))?,
                        a.valid_from,
                        a.valid_to,
                    ))
                })
                .collect::<Result<_, CpamError>>()?,
        })
    }
}

impl ActivityDto {
    pub fn into_domain(self, expected: &Rpps, year: i32) -> Result<CpamActivity, CpamError> {
        same_rpps(expected, &self.rpps)?;
        if self.year != year {
            return Err(invalid("year", format!("asked for {year}, the answer is for {}", self.year)));
        }
        Ok(CpamActivity {
            year: self.year,
            pmt: self.pmt,
            adult_pmt: self.adult_pmt,
            file_active: self.file_active,
            ccam_share_bp: self.ccam_share.as_deref().map(share_bp).transpose()?,
            band: self.band.as_deref().map(|b| code("band", ActivityBand::from_code, b)).transpose()?,
            reference_date: self.reference_date,
        })
    }
}

impl DistributionDto {
    pub fn into_domain(self) -> Result<CpamDistribution, CpamError> {
        let p = self.percentiles;
        if !(p.p30 <= p.p50 && p.p50 <= p.p70 && p.p70 <= p.p90 && p.p90 <= p.p95) {
            return Err(invalid("percentiles", "not in increasing order"));
        }
        Ok(CpamDistribution {
            specialty: code("specialty", Specialty::from_code, &self.specialty)?,
            year: self.year,
            indicator: self.indicator,
            reference_date: self.reference_date,
            percentiles: p,
        })
    }
}

impl ZoningDto {
    pub fn into_domain(self) -> Result<CpamZoning, CpamError> {
        let zone = Zone::from_code(&self.zone).map_err(|e| invalid("zone", format!("unknown zone `{}`", e.code)))?;
        Ok(CpamZoning {
            commune: InseeCommune::parse(&self.commune).map_err(|e| invalid("commune", e.reason))?,
            zone,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            decision: self.decision,
        })
    }
}

impl ContractDto {
    pub fn into_domain(self) -> Result<CpamContract, CpamError> {
        let rpps = |s: &str| Rpps::parse(s).map_err(|e| invalid("rpps", e.reason));
        Ok(CpamContract {
            reference: self.reference,
            kind: code("kind", ContractKind::from_code, &self.kind)?,
            rpps: self.rpps.as_deref().map(rpps).transpose()?,
            finess: self.finess.as_deref().map(Finess::parse).transpose().map_err(|e| invalid("finess", e.reason))?,
            option: self.option.as_deref().map(|o| code("option", AidOption::from_code, o)).transpose()?,
            funded_etp: self.funded_etp.as_deref().map(Etp::parse).transpose().map_err(|e| invalid("fundedEtp", e))?,
            members: self.members.iter().map(|m| rpps(m)).collect::<Result<_, _>>()?,
            signed_on: self.signed_on,
            status: code("status", ContractStatus::from_code, &self.status)?,
            ends_on: self.ends_on,
        })
    }
}

impl AciContractDto {
    pub fn into_domain(self, expected: &Finess) -> Result<CpamAciContract, CpamError> {
        let finess = Finess::parse(&self.finess).map_err(|e| invalid("finess", e.reason))?;
        if &finess != expected {
            return Err(invalid("finess", format!("asked for {expected}, the answer is about {finess}")));
        }
        if self.reference.trim().is_empty() {
            return Err(invalid("reference", "empty"));
        }
        Ok(CpamAciContract {
            reference: self.reference,
            finess,
            signed_on: self.signed_on,
            years: self
                .points_by_year
                .iter()
                .map(|p| {
                    let paid = p.paid.as_deref().map(amount).transpose()?;
                    Ok(CpamAciYear { year: p.year, points: p.points, paid })
                })
                .collect::<Result<_, CpamError>>()?,
            coordination_declared: self.coordination_function.declared,
            coordination_etp: self
                .coordination_function
                .etp
                .as_deref()
                .map(Etp::parse)
                .transpose()
                .map_err(|e| invalid("coordinationFunction.etp", e))?,
            coordination_holder: self.coordination_function.holder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_parse_exactly() {
        assert_eq!(share_bp("0.04").ok(), Some(400));
        assert_eq!(share_bp("0.3625").ok(), Some(3625));
        assert_eq!(share_bp("1").ok(), Some(10_000));
        assert!(share_bp("1.2").is_err());
        assert!(share_bp("-0.1").is_err());
        assert!(share_bp("0.12345").is_err());
    }

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(amount("68950.00").ok(), Some(Decimal::new(6_895_000, 2)));
        assert!(amount("-1.00").is_err());
        assert!(amount("12,50").is_err());
    }
}
