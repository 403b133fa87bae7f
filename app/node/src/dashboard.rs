//! The agent's HTTP side on 127.0.0.1: `/` (the dashboard page),
//! `/status.json` (what the page draws), `/healthz`, `/metrics`.
use crate::agent::Status;
use crate::metrics::Metrics;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::{Arc, RwLock};

#[derive(Clone)]
struct AppState {
    status: Arc<RwLock<Status>>,
    metrics: Arc<Metrics>,
}

pub fn router(status: Arc<RwLock<Status>>, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/status.json", get(status_json))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(AppState { status, metrics })
}

fn snapshot(s: &AppState) -> Status {
    s.status.read().unwrap_or_else(|p| p.into_inner()).clone()
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn status_json(State(s): State<AppState>) -> Json<Status> {
    Json(snapshot(&s))
}

async fn healthz(State(s): State<AppState>) -> Response {
    let st = snapshot(&s);
    let problem = (!st.healthy).then(|| {
        let what = if st.rpc_ok {
            "failing"
        } else {
            "chain unreachable"
        };
        format!(
            "{what}: {}",
            st.last_error.unwrap_or_else(|| "starting".into())
        )
    });
    edgefuel_daemon::http::health(problem)
}

async fn metrics_text(State(s): State<AppState>) -> impl IntoResponse {
    edgefuel_daemon::http::metrics(&s.metrics.registry)
}

/// The dashboard: one self-contained page that polls `/status.json`.
const PAGE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>EdgeFuel node</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#0f1419;color:#e6e6e6}
 header{padding:14px 22px;background:#161c24;border-bottom:1px solid #2a3340;display:flex;gap:18px;align-items:baseline}
 h1{font-size:18px;margin:0} h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:#8aa0b8;margin:0 0 8px}
 main{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px;padding:16px 22px}
 section{background:#161c24;border:1px solid #2a3340;border-radius:8px;padding:12px 14px}
 .big{font-size:24px;font-weight:600} .ok{color:#5fd38d} .bad{color:#ff7070} .warn{color:#f0c05a} .muted{color:#8aa0b8}
 table{width:100%;border-collapse:collapse;font-size:12px} td,th{padding:3px 4px;text-align:right;border-bottom:1px solid #222b36}
 td:first-child,th:first-child{text-align:left} code{font-size:11px;color:#9cc}
 .wide{grid-column:1/-1}
</style></head>
<body>
<header><h1>EdgeFuel node</h1><span id="node" class="muted"></span><span id="health"></span></header>
<main>
 <section><h2>Status</h2><div id="state" class="big">…</div><div id="elig"></div><div id="jail" class="warn"></div><div id="err" class="bad"></div></section>
 <section><h2>Work</h2><div class="big"><span id="jps">0</span> jobs/s</div><div id="work" class="muted"></div><div id="device" class="muted"></div></section>
 <section><h2>Earnings</h2><div class="big"><span id="earned">0</span> EFUEL</div><div id="claimed" class="muted"></div><div id="slashed"></div></section>
 <section><h2>Energy</h2><div class="big"><span id="jpj">0</span> J/job</div><div id="energy" class="muted"></div><div id="emethod" class="muted"></div></section>
 <section class="wide"><h2>Earnings per epoch (EFUEL)</h2><svg id="chart" width="100%" height="170" viewBox="0 0 800 170" preserveAspectRatio="none"></svg></section>
 <section class="wide"><h2>Recent batches</h2><table id="batches"><thead><tr><th>seq</th><th>state</th><th>verdict</th><th>leaves</th><th>work units</th><th>reward EFUEL</th><th>slashed EFUEL</th><th>jobs s</th><th>energy J</th></tr></thead><tbody></tbody></table></section>
 <section><h2>Stake and delegators</h2><div class="big"><span id="pool">0</span> EFUEL</div><div id="opstake" class="muted"></div><table id="dels"><tbody></tbody></table></section>
</main>
<script>
const E=x=>(x/1e9).toLocaleString(undefined,{maximumFractionDigits:4});
const $=id=>document.getElementById(id);
function chart(epochs){
  const svg=$('chart'); const W=800,H=170,pad=24;
  if(!epochs.length){svg.innerHTML='<text x="10" y="30" fill="#8aa0b8">no epoch stats yet</text>';return;}
  const max=Math.max(1,...epochs.map(e=>Math.max(e.rewards,e.slashed)));
  const bw=Math.min(160,(W-pad)/epochs.length);
  let s='';
  epochs.forEach((e,i)=>{
    const h=(H-2*pad)*e.rewards/max, hs=(H-2*pad)*e.slashed/max, x=pad+i*bw;
    s+=`<rect x="${x+4}" y="${H-pad-h}" width="${bw/2-6}" height="${h}" fill="#5fd38d"><title>epoch ${e.epoch}: ${E(e.rewards)} EFUEL</title></rect>`;
    s+=`<rect x="${x+bw/2}" y="${H-pad-hs}" width="${bw/2-6}" height="${hs}" fill="#ff7070"><title>slashed ${E(e.slashed)}</title></rect>`;
    s+=`<text x="${x+4}" y="${H-6}" fill="#8aa0b8" font-size="11">${e.epoch}</text>`;
    s+=`<text x="${x+4}" y="${H-pad-h-4}" fill="#e6e6e6" font-size="11">${E(e.rewards)}</text>`;
  });
  svg.innerHTML=s;
}
async function tick(){
  try{
    const s=await (await fetch('status.json')).json();
    $('node').textContent=s.node;
    $('health').innerHTML=!s.rpc_ok?'<span class="bad">● chain unreachable</span>':(s.healthy?'<span class="ok">● running</span>':'<span class="bad">● step failing (retrying)</span>');
    $('state').textContent=s.node_status||'starting';
    $('state').className='big '+(s.node_status==='Active'?'ok':'bad');
    $('elig').innerHTML=s.eligible?'<span class="ok">eligible</span>: own stake '+E(s.operator_stake)+' ≥ '+E(s.min_node_stake)+' EFUEL':'<span class="bad">not eligible</span>: own stake '+E(s.operator_stake)+' < '+E(s.min_node_stake)+' EFUEL';
    $('jail').textContent=s.node_status==='Jailed'?('jailed: unjail possible in '+Math.max(0,s.jailed_until-s.chain_time)+' s (edgefuel node unjail)'):'';
    $('err').textContent=[s.warning,s.last_error].filter(x=>x).join(' · ');
    $('jps').textContent=s.jobs_per_second.toFixed(2);
    $('work').textContent=s.totals.jobs+' jobs, '+s.totals.work_units.toLocaleString()+' work units, '+s.totals.job_seconds.toFixed(1)+' s of device time';
    $('device').textContent=s.device+(s.device_note?' — '+s.device_note:'');
    $('earned').textContent=E(s.earned);
    $('claimed').textContent='claimed by this agent: '+E(s.totals.claimed)+' EFUEL';
    $('slashed').innerHTML=s.slashed?'<span class="bad">slashed '+E(s.slashed)+' EFUEL</span>':'<span class="ok">never slashed</span>';
    $('jpj').textContent=s.joules_per_job.toFixed(2);
    $('energy').textContent=s.work_units_per_joule.toExponential(3)+' work units/J · '+s.efuel_per_kwh.toFixed(3)+' EFUEL/kWh · '+(s.totals.joules/3600).toFixed(3)+' Wh total ('+s.energy_source+')';
    $('emethod').textContent=s.energy_method;
    chart(s.epochs);
    $('batches').tBodies[0].innerHTML=s.recent.map(b=>`<tr><td>${b.seq}</td><td>${b.state}</td><td class="${b.outcome==='Accepted'?'ok':(b.outcome?'bad':'')}">${b.outcome||'…'}</td><td>${b.leaf_count}</td><td>${b.total_work.toLocaleString()}</td><td>${E(b.reward)}</td><td>${E(b.slashed)}</td><td>${b.job_seconds.toFixed(2)}</td><td>${b.joules.toFixed(1)}</td></tr>`).join('');
    $('pool').textContent=E(s.pool_tokens);
    $('opstake').textContent='operator '+E(s.operator_stake)+' EFUEL · '+s.delegators.length+' delegations';
    $('dels').tBodies[0].innerHTML=s.delegators.map(d=>`<tr><td><code>${d.staker.slice(0,6)}…${d.staker.slice(-4)}</code></td><td>${E(d.tokens)} EFUEL</td></tr>`).join('');
  }catch(e){$('health').innerHTML='<span class="bad">● agent not answering</span>';}
}
tick(); setInterval(tick,2000);
</script>
</body></html>
"##;
