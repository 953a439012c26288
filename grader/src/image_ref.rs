//! Image references as people write them, in one spelling: `docker.io/library/golang:1.27` is
//! `golang:1.27`, and `golang` is `golang:latest` when names are compared. Pure text.

/// `docker.io/library/golang:1.27` -> `golang:1.27`: the registry and namespace Docker Hub
/// adds, dropped, as people write the name.
pub fn short(image: &str) -> &str {
    let short = image.strip_prefix("docker.io/").unwrap_or(image);
    short.strip_prefix("library/").unwrap_or(short)
}

/// `docker.io/library/golang:1-trixie` and `golang` → `golang:1-trixie` and `golang:latest`:
/// the one spelling the kit's tag list and the engine's image names can be compared in.
pub fn normalize(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or(image);
    let short = short(without_digest);
    let last = short.rsplit('/').next().unwrap_or(short);
    if last.contains(':') || image.contains('@') {
        short.to_string()
    } else {
        format!("{short}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_compared_in_one_spelling() {
        assert_eq!(normalize("docker.io/library/golang:1-trixie"), "golang:1-trixie");
        assert_eq!(normalize("golang"), "golang:latest");
        assert_eq!(normalize("gcr.io/distroless/static-debian13"), "gcr.io/distroless/static-debian13:latest");
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalize("gcr.io/distroless/cc-debian13:nonroot"), "gcr.io/distroless/cc-debian13:nonroot");
        assert_eq!(short("docker.io/docker/dockerfile:1"), "docker/dockerfile:1");
    }
}
