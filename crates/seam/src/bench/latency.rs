//! What the read-path scenarios (`reports`, `search`, `import`) share: timing
//! one operation many times, its figures as JSON, and their table.

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Level, field, round3};
use crate::output;

/// Runs `op(i)` for `i` in `0..runs`, one after the other, timing each.
pub(super) async fn time_runs<F, Fut>(runs: usize, mut op: F) -> anyhow::Result<Level>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut latencies = Vec::with_capacity(runs);
    let started = Instant::now();
    for i in 0..runs {
        let t = Instant::now();
        op(i).await?;
        latencies.push(t.elapsed());
    }
    Ok(Level {
        concurrency: 1,
        count: runs,
        elapsed: started.elapsed(),
        latencies,
        commands_per_commit: None,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// One measured operation: runs, p50, p99, mean and max in milliseconds.
pub(super) fn figures(name: &str, level: &Level) -> Value {
    let mean = if level.latencies.is_empty() {
        0.0
    } else {
        level.latencies.iter().map(|d| ms(*d)).sum::<f64>() / level.latencies.len() as f64
    };
    let max = level.latencies.iter().max().map_or(0.0, |d| ms(*d));
    json!({
        "name": name,
        "runs": level.count,
        "p50_ms": round3(level.percentile_ms(0.50)),
        "p99_ms": round3(level.percentile_ms(0.99)),
        "mean_ms": round3(mean),
        "max_ms": round3(max),
    })
}

/// The table of a read-path scenario: its heading, then one row per run.
pub(super) fn print_table(report: &Value) -> anyhow::Result<()> {
    output::out(field(report, "title").as_str().unwrap_or("benchmark"))?;
    let (keys, headers): (&[&str], &[&str]) = if field(report, "scenario") == "import" {
        (
            &["name", "seconds", "rows_per_second"],
            &["what", "seconds", "rows/s"],
        )
    } else {
        (
            &["name", "runs", "p50_ms", "p99_ms", "mean_ms", "max_ms"],
            &["what", "runs", "p50 ms", "p99 ms", "mean ms", "max ms"],
        )
    };
    let rows = super::run_rows(report, keys, 3);
    let right: Vec<usize> = (1..headers.len()).collect();
    output::out(output::table_aligned(headers, &right, &rows))?;
    Ok(())
}
