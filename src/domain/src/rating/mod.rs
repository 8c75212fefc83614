//! Rating: metrics from the ledger and the external profile, a scorecard model that is data,
//! scores explained factor by factor, and the grade migration between two models.

pub mod additive;
pub mod analyst;
pub mod fixed;
pub mod metrics;
pub mod pmml;
pub mod scorecard;
pub mod sealed;

pub use fixed::Fixed;
pub use metrics::{FactorKey, Metrics, Value};
pub use scorecard::{
    default_scorecard, migration, Grade, Hint, Migration, Minimum, MissingPolicy, ModelCode,
    ModelProblem, Part, Rating, Score, Scorecard,
};
pub use sealed::{Mask, Sealed};
