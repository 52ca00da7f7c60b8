//! Kubernetes manifests: the workloads (Deployment, StatefulSet, DaemonSet) with their pod
//! template's labels and containers (image, ports, HTTP probes, environment names, preStop
//! sleep) and grace period; the Services with their selector and ports; the Ingresses with
//! the Service and port of each backend. Other kinds are skipped.

use super::{Loc, Val};
use crate::parse::yaml::Node;

/// A port by number or by the name of a container port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(u16),
    Name(String),
}

impl PortRef {
    fn of(node: &Node) -> Option<Self> {
        let s = node.as_str()?;
        Some(match s.parse() {
            Ok(n) => Self::Number(n),
            Err(_) => Self::Name(s.to_owned()),
        })
    }

    /// `80` or `` `http` ``.
    #[must_use]
    pub fn shown(&self) -> String {
        match self {
            Self::Number(n) => n.to_string(),
            Self::Name(s) => format!("`{s}`"),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct K8s {
    pub workloads: Vec<Workload>,
    pub services: Vec<Service>,
    pub ingresses: Vec<Ingress>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// `Deployment`, `StatefulSet` or `DaemonSet`.
    pub kind: String,
    pub name: Val<String>,
    /// The pod template's labels.
    pub labels: Vec<(String, String)>,
    pub containers: Vec<Container>,
    /// `terminationGracePeriodSeconds`.
    pub grace: Option<Val<u64>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub name: Option<Val<String>>,
    pub image: Option<Val<String>>,
    pub ports: Vec<ContainerPort>,
    pub probes: Vec<Probe>,
    pub env: Vec<Val<String>>,
    /// Each `env` entry's `value` (`None` for `valueFrom` and the like), beside `env`.
    pub env_values: Vec<Option<Val<String>>>,
    /// The seconds a preStop hook sleeps (`exec: sleep N` or `sleep.seconds`).
    pub pre_stop_sleep: Option<Val<u64>>,
    /// The container directory its image is built from (index into the context's
    /// containers), set by [`super::Project::link_k8s`].
    pub container: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<Val<String>>,
    pub port: Val<u16>,
}

/// An `httpGet` probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `readinessProbe`, `livenessProbe` or `startupProbe`.
    pub kind: &'static str,
    pub path: Option<Val<String>>,
    pub port: Val<PortRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: Val<String>,
    pub selector: Vec<(String, String)>,
    /// The `selector:` map, when there is one.
    pub selector_loc: Option<Loc>,
    pub ports: Vec<ServicePort>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub name: Option<Val<String>>,
    pub port: Val<u16>,
    /// `targetPort`; the port itself when not written.
    pub target: Option<Val<PortRef>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingress {
    pub name: Val<String>,
    pub backends: Vec<Backend>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    pub service: Val<String>,
    pub port: Option<Val<PortRef>>,
}

fn loc(file: usize, node: &Node) -> Loc {
    Loc {
        file,
        span: node.span,
    }
}

fn val(file: usize, node: &Node) -> Option<Val<String>> {
    Some(Val::new(node.as_str()?.to_owned(), loc(file, node)))
}

fn number<T: std::str::FromStr>(file: usize, node: &Node) -> Option<Val<T>> {
    Some(Val::new(node.as_str()?.parse().ok()?, loc(file, node)))
}

fn labels(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|n| {
        n.entries()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.to_owned())))
            .collect()
    })
    .unwrap_or_default()
}

/// What a preStop hook sleeps: `sleep.seconds`, or an `exec` of `sleep N` (directly or
/// through `sh -c`).
fn pre_stop_sleep(file: usize, hook: &Node) -> Option<Val<u64>> {
    if let Some(s) = hook.get("sleep").and_then(|s| s.get("seconds")) {
        return number(file, s);
    }
    let command = hook.get("exec")?.get("command")?.items();
    let words: Vec<&str> = command.iter().filter_map(Node::as_str).collect();
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_owned();
    match words.as_slice() {
        [sleep, n, ..] if base(sleep) == "sleep" => {
            let secs = n.trim_end_matches('s').parse().ok()?;
            Some(Val::new(secs, loc(file, command.get(1)?)))
        }
        [sh, c, script, ..] if matches!(base(sh).as_str(), "sh" | "bash" | "ash") && *c == "-c" => {
            let mut words = script.split_whitespace();
            (words.next() == Some("sleep")).then_some(())?;
            let secs = words.next()?.trim_end_matches(['s', ';']).parse().ok()?;
            Some(Val::new(secs, loc(file, command.get(2)?)))
        }
        _ => None,
    }
}

fn container(file: usize, node: &Node) -> Container {
    let ports = node
        .get("ports")
        .map(|p| {
            p.items()
                .iter()
                .filter_map(|p| {
                    Some(ContainerPort {
                        name: p.get("name").and_then(|n| val(file, n)),
                        port: number(file, p.get("containerPort")?)?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let probes = ["startupProbe", "readinessProbe", "livenessProbe"]
        .iter()
        .filter_map(|kind| {
            let get = node.get(kind)?.get("httpGet")?;
            let port = get.get("port")?;
            Some(Probe {
                kind,
                path: get.get("path").and_then(|p| val(file, p)),
                port: Val::new(PortRef::of(port)?, loc(file, port)),
            })
        })
        .collect();
    Container {
        name: node.get("name").and_then(|n| val(file, n)),
        image: node.get("image").and_then(|n| val(file, n)),
        ports,
        probes,
        env: node
            .get("env")
            .map(|e| {
                e.items()
                    .iter()
                    .filter_map(|v| val(file, v.get("name")?))
                    .collect()
            })
            .unwrap_or_default(),
        env_values: node
            .get("env")
            .map(|e| {
                e.items()
                    .iter()
                    .filter(|v| v.get("name").and_then(|n| n.as_str()).is_some())
                    .map(|v| v.get("value").and_then(|x| val(file, x)))
                    .collect()
            })
            .unwrap_or_default(),
        pre_stop_sleep: node
            .get("lifecycle")
            .and_then(|l| l.get("preStop"))
            .and_then(|h| pre_stop_sleep(file, h)),
        container: None,
    }
}

/// The Service and port of an Ingress backend (`service: {name, port: {name|number}}`).
fn backend(file: usize, node: &Node) -> Option<Backend> {
    let service = node.get("service")?;
    let port = service.get("port").and_then(|p| {
        let n = p.get("number").or_else(|| p.get("name"))?;
        Some(Val::new(PortRef::of(n)?, loc(file, n)))
    });
    Some(Backend {
        service: val(file, service.get("name")?)?,
        port,
    })
}

impl K8s {
    /// Adds the object of one document of file `file`.
    pub fn read(&mut self, file: usize, doc: &Node) {
        let Some(kind) = doc.str_at("kind") else {
            return;
        };
        let Some(name) = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|n| val(file, n))
        else {
            return;
        };
        let spec = doc.get("spec");
        match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" => {
                let pod = spec.and_then(|s| s.get("template"));
                let pod_spec = pod.and_then(|p| p.get("spec"));
                self.workloads.push(Workload {
                    kind: kind.to_owned(),
                    name,
                    labels: labels(pod.and_then(|p| p.get("metadata")?.get("labels"))),
                    containers: pod_spec
                        .and_then(|s| s.get("containers"))
                        .map(|c| c.items().iter().map(|c| container(file, c)).collect())
                        .unwrap_or_default(),
                    grace: pod_spec
                        .and_then(|s| s.get("terminationGracePeriodSeconds"))
                        .and_then(|g| number(file, g)),
                });
            }
            "Service" => {
                let selector = spec.and_then(|s| s.get("selector"));
                self.services.push(Service {
                    name,
                    selector: labels(selector),
                    selector_loc: selector.map(|s| loc(file, s)),
                    ports: spec
                        .and_then(|s| s.get("ports"))
                        .map(|p| {
                            p.items()
                                .iter()
                                .filter_map(|p| {
                                    Some(ServicePort {
                                        name: p.get("name").and_then(|n| val(file, n)),
                                        port: number(file, p.get("port")?)?,
                                        target: p.get("targetPort").and_then(|t| {
                                            Some(Val::new(PortRef::of(t)?, loc(file, t)))
                                        }),
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                });
            }
            "Ingress" => {
                let mut backends = Vec::new();
                if let Some(b) = spec
                    .and_then(|s| s.get("defaultBackend"))
                    .and_then(|b| backend(file, b))
                {
                    backends.push(b);
                }
                for rule in spec
                    .and_then(|s| s.get("rules"))
                    .map_or(&[][..], Node::items)
                {
                    let paths = rule.get("http").and_then(|h| h.get("paths"));
                    for p in paths.map_or(&[][..], Node::items) {
                        if let Some(b) = p.get("backend").and_then(|b| backend(file, b)) {
                            backends.push(b);
                        }
                    }
                }
                self.ingresses.push(Ingress { name, backends });
            }
            _ => {}
        }
    }

    /// The Service named `name`.
    #[must_use]
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.value == name)
    }

    /// The workloads whose pods a Service with `selector` selects.
    pub fn selected<'a>(
        &'a self,
        selector: &'a [(String, String)],
    ) -> impl Iterator<Item = &'a Workload> + 'a {
        self.workloads.iter().filter(move |w| {
            !selector.is_empty() && selector.iter().all(|kv| w.labels.contains(kv))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    fn k8s(text: &str) -> K8s {
        let mut k = K8s::default();
        for doc in yaml::parse(text).expect("yaml") {
            k.read(0, &doc);
        }
        k
    }

    #[test]
    fn objects_of_a_manifest() {
        let k = k8s("apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      terminationGracePeriodSeconds: 20
      containers:
        - name: web
          image: web:1
          ports:
            - {name: http, containerPort: 80}
            - containerPort: 9000
          readinessProbe:
            httpGet: {path: /healthz, port: http}
          livenessProbe:
            httpGet: {path: /, port: 80}
          startupProbe:
            exec: {command: [true]}
          env:
            - {name: APP_PORT, value: \"80\"}
          lifecycle:
            preStop:
              exec:
                command: [\"/bin/sh\", \"-c\", \"sleep 5\"]
---
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http}
    - {port: 9000}
---
kind: Ingress
metadata: {name: lb}
spec:
  defaultBackend:
    service: {name: web, port: {number: 80}}
  rules:
    - http:
        paths:
          - backend:
              service: {name: api, port: {name: http}}
---
kind: ConfigMap
metadata: {name: x}
");
        let w = &k.workloads[0];
        assert_eq!(w.grace.as_ref().map(|g| g.value), Some(20));
        assert_eq!(w.labels.len(), 2);
        let c = &w.containers[0];
        assert_eq!(c.ports.len(), 2);
        assert_eq!(
            c.ports[0].name.as_ref().map(|n| n.value.as_str()),
            Some("http")
        );
        let probes: Vec<(&str, PortRef)> = c
            .probes
            .iter()
            .map(|p| (p.kind, p.port.value.clone()))
            .collect();
        assert_eq!(
            probes,
            [
                ("readinessProbe", PortRef::Name("http".to_owned())),
                ("livenessProbe", PortRef::Number(80))
            ]
        );
        assert_eq!(c.env[0].value, "APP_PORT");
        assert_eq!(c.pre_stop_sleep.as_ref().map(|s| s.value), Some(5));
        let s = &k.services[0];
        assert_eq!(k.selected(&s.selector).count(), 1);
        assert_eq!(s.ports[1].target, None);
        let backends: Vec<(&str, Option<PortRef>)> = k.ingresses[0]
            .backends
            .iter()
            .map(|b| {
                (
                    b.service.value.as_str(),
                    b.port.as_ref().map(|p| p.value.clone()),
                )
            })
            .collect();
        assert_eq!(
            backends,
            [
                ("web", Some(PortRef::Number(80))),
                ("api", Some(PortRef::Name("http".to_owned())))
            ]
        );
    }

    #[test]
    fn pre_stop_sleep_table() {
        let cases = [
            ("{exec: {command: [sleep, \"3\"]}}", Some(3)),
            ("{exec: {command: [/bin/sleep, 3s]}}", Some(3)),
            (
                "{exec: {command: [sh, -c, \"sleep 4; nginx -s quit\"]}}",
                Some(4),
            ),
            ("{sleep: {seconds: 7}}", Some(7)),
            ("{exec: {command: [nginx, -s, quit]}}", None),
            ("{httpGet: {path: /}}", None),
        ];
        for (hook, want) in cases {
            let doc = &yaml::parse(hook).expect("yaml")[0];
            assert_eq!(pre_stop_sleep(0, doc).map(|v| v.value), want, "{hook}");
        }
    }

    #[test]
    fn an_empty_selector_selects_nothing() {
        let k = k8s(
            "kind: Deployment\nmetadata: {name: a}\nspec: {template: {metadata: {labels: {a: b}}}}\n",
        );
        assert_eq!(k.selected(&[]).count(), 0);
        assert_eq!(k.selected(&[("a".to_owned(), "b".to_owned())]).count(), 1);
        assert_eq!(k.selected(&[("a".to_owned(), "c".to_owned())]).count(), 0);
    }
}
