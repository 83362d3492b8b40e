//! scratch: RSS of sled under the engine's commit pattern.
use harvest_store::*;
fn rss() -> String {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        .collect::<Vec<_>>()
        .join(" ")
}
fn main() {
    if std::env::args().nth(1).as_deref() == Some("dump") {
        let db = sled::open(std::env::args().nth(2).unwrap()).unwrap();
        let mut m = std::collections::BTreeMap::new();
        for kv in db.iter() {
            let (k, v) = kv.unwrap();
            let e = m.entry(k[0] as char).or_insert((0usize, 0usize));
            e.0 += 1;
            e.1 += v.len();
        }
        eprintln!("{m:?} trees {:?}", db.tree_names().len());
        return;
    }
    if std::env::args().nth(1).as_deref() == Some("reopen") {
        let d = std::path::Path::new("/tmp/churnstate");
        let s = Store::open(d).unwrap();
        eprintln!("opened {}", rss());
        let c = s.pending_count_kept().unwrap();
        let _ = s.pending_from(0, 1000).unwrap();
        eprintln!("{c} {}", rss());
        return;
    }
    let mode = std::env::args().nth(1).unwrap_or_default();
    let n: u64 = std::env::args()
        .nth(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(1_000_000);
    let _ = std::fs::remove_dir_all("/tmp/churnstate");
    let store = Store::open(std::path::Path::new("/tmp/churnstate")).unwrap();
    if std::env::var("READER").is_ok() {
        let st = store.clone();
        std::thread::spawn(move || loop {
            let n = st.next_seq().unwrap();
            let _ = st.pending_from(n.saturating_sub(20_000), 1000).unwrap();
            std::thread::sleep(std::time::Duration::from_micros(200));
        });
    }
    let mut seq = 0u64;
    let t = std::time::Instant::now();
    let mut done = 0u64;
    while done < n {
        let mut b = CommitBatch::new();
        for _ in 0..std::env::var("BATCH")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(1024)
        {
            let job = Job {
                resource: "r".into(),
                url: format!("http://127.0.0.1:8080/items?page={done}"),
                attempt: 0,
                not_before_ms: 0,
                page: done as u32,
                offset: 0,
                fanned_out: false,
                parent: vec![],
            };
            let next = Job {
                url: format!("http://127.0.0.1:8080/items?page={}", done + 1),
                ..job.clone()
            };
            if mode != "pending" {
                b.remove_job(seq);
            }
            seq += 1;
            if mode == "seen" {
                b.mark_seen(&next.page_key());
            } else if mode == "seqseen" {
                let mut k = [0u8; 16];
                k[8..].copy_from_slice(&seq.to_be_bytes());
                b.mark_seen(&PageKey(k));
            } else if mode == "lookup" {
                b.mark_seen(&next.page_key());
                let _ = store.is_seen(&job.page_key());
            }
            b.put_job(seq, &next);
            b.set_pending_count(1);
            b.set_next_seq(seq + 1);
            b.set_sink_offset("r", done * 1000);
            done += 1;
        }
        store.commit(b).unwrap();
        store.flush().unwrap();
        if done % 100_000
            < std::env::var("BATCH")
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(1024)
        {
            eprintln!("{done} {:?} {}", t.elapsed(), rss());
        }
    }
    eprintln!("end {:?} {}", t.elapsed(), rss());
}
