//! `gen cert`: a self-signed development certificate for the load balancer's TLS, made with
//! rcgen, written outside generated/ (default `certs/`) so it never lands in the generated
//! tree or an image. Not for production: a real certificate comes from a CA.

use crate::cli::CertArgs;
use crate::error::{Error, Result};
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;

pub fn run(args: &CertArgs) -> Result<u8> {
    let cert_path = args.out.join("cert.pem");
    let key_path = args.out.join("key.pem");
    if !args.force && (cert_path.exists() || key_path.exists()) {
        crate::errln!(
            "error: `{}` already holds a certificate\nhelp: run `gen cert --force` to replace it",
            args.out.display()
        );
        return Ok(2);
    }
    let mut names = vec![args.name.clone()];
    if args.name != "localhost" {
        names.push("localhost".to_owned());
    }
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| {
        Error::Usage(format!(
            "cannot make a certificate for `{}`: {e}",
            args.name
        ))
    })?;
    fs::create_dir_all(&args.out).map_err(|e| Error::io("create directory", &args.out, e))?;
    fs::write(&cert_path, certified.cert.pem()).map_err(|e| Error::io("write", &cert_path, e))?;
    // The key is readable by its owner only.
    let mut key = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&key_path)
        .map_err(|e| Error::io("write", &key_path, e))?;
    key.write_all(certified.signing_key.serialize_pem().as_bytes())
        .map_err(|e| Error::io("write", &key_path, e))?;
    crate::outln!("  created {}", cert_path.display());
    crate::outln!("  created {} (mode 600)", key_path.display());
    crate::outln!(
        "a self-signed development certificate for `{}`; trust it with `curl --cacert {}`",
        args.name,
        cert_path.display()
    );
    Ok(0)
}
