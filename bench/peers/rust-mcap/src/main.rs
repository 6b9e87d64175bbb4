//! Counts the messages of an MCAP file with the `mcap` crate, for bench/compare.py.
//! Times only mapping the file + `MessageStream` over every message in file order (the
//! crate's documented way to read a whole file), and prints
//! {"messages":N,"bytes":B,"seconds":S}, the shape of bench/peers/foxglove_count.cpp.
use std::fs::File;
use std::process::ExitCode;
use std::time::Instant;

fn count(path: &str) -> Result<(u64, u64), Box<dyn std::error::Error>> {
    let file = File::open(path)?;
    // SAFETY: the bench's files are generated once and never written while they are read.
    let mapped = unsafe { memmap2::Mmap::map(&file)? };
    let (mut messages, mut bytes) = (0u64, 0u64);
    for message in mcap::MessageStream::new(&mapped)? {
        let message = message?;
        messages += 1;
        bytes += message.data.len() as u64;
    }
    Ok((messages, bytes))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 2 {
        eprintln!("usage: {} FILE.mcap", args[0]);
        return ExitCode::from(2);
    }
    let start = Instant::now();
    match count(&args[1]) {
        Ok((messages, bytes)) => {
            let seconds = start.elapsed().as_secs_f64();
            println!("{{\"messages\":{messages},\"bytes\":{bytes},\"seconds\":{seconds:.9}}}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("read failed: {error}");
            ExitCode::FAILURE
        }
    }
}
