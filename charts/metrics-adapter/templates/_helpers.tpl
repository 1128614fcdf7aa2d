{{/* Names and labels. */}}
{{- define "metrics-adapter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "metrics-adapter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "metrics-adapter.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "metrics-adapter.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "metrics-adapter.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{- define "metrics-adapter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "metrics-adapter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "metrics-adapter.labels" -}}
{{ include "metrics-adapter.selectorLabels" . }}
app.kubernetes.io/part-of: metrics-adapter
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "metrics-adapter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "metrics-adapter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when `config` lists backends: the adapter routes, and the back-end blocks are not used. */}}
{{- define "metrics-adapter.routing" -}}
{{- if and (kindIs "map" .Values.config) (hasKey .Values.config "backends") }}true{{ end }}
{{- end }}

{{/* The back end: `backend`, or prometheus when only prometheus-adapter's rules are given (its values files carry over). */}}
{{- define "metrics-adapter.backend" -}}
{{- if .Values.backend }}
{{- .Values.backend }}
{{- else if or .Values.rules.custom .Values.rules.external .Values.rules.resource .Values.rules.existing .Values.rules.default }}
{{- "prometheus" }}
{{- else }}
{{- "memory" }}
{{- end }}
{{- end }}

{{/* The config file the chart writes (--config), or nothing. */}}
{{- define "metrics-adapter.configFile" -}}
{{- $file := dict }}
{{- range $key, $value := .Values.config }}
{{- $_ := set $file $key $value }}
{{- end }}
{{- if and (eq (include "metrics-adapter.backend" .) "prometheus") (not (include "metrics-adapter.routing" .)) }}
{{- with .Values.rules.custom }}{{ $_ := set $file "rules" . }}{{ end }}
{{- with .Values.rules.external }}{{ $_ := set $file "externalRules" . }}{{ end }}
{{- with .Values.rules.resource }}{{ $_ := set $file "resourceRules" . }}{{ end }}
{{- end }}
{{- if $file }}{{ toYaml $file }}{{ end }}
{{- end }}

{{/* The chart's ConfigMap is rendered when it has something to hold. */}}
{{- define "metrics-adapter.hasConfigMap" -}}
{{- if or (and (not .Values.rules.existing) (include "metrics-adapter.configFile" .)) (and (eq (include "metrics-adapter.backend" .) "forward") .Values.forward.caBundle) }}true{{ end }}
{{- end }}

{{- define "metrics-adapter.redisUrl" -}}
{{- if .Values.redis.bundled.enabled }}
{{- printf "redis://%s-redis.%s.svc:6379" (include "metrics-adapter.fullname" .) (include "metrics-adapter.namespace" .) }}
{{- else }}
{{- required "redis.url is required with backend: redis (or set redis.sentinels, redis.cluster or redis.bundled.enabled)" .Values.redis.url }}
{{- end }}
{{- end }}

{{/*
Secrets the back end reads as files: a JSON list of {name, secret, key, flag}. Each is mounted at
/var/run/secrets/metrics-adapter/<name>, and --<flag> names its key there.
*/}}
{{- define "metrics-adapter.secretMounts" -}}
{{- $backend := include "metrics-adapter.backend" . }}
{{- $mounts := list }}
{{- if not (include "metrics-adapter.routing" .) }}
{{- if eq $backend "prometheus" }}
{{- with .Values.prometheus.auth }}
{{- if .tokenSecret.name }}{{ $mounts = append $mounts (dict "name" "prometheus-token" "secret" .tokenSecret.name "key" .tokenSecret.key "flag" "prometheus-token-file") }}{{ end }}
{{- if .passwordSecret.name }}{{ $mounts = append $mounts (dict "name" "prometheus-password" "secret" .passwordSecret.name "key" .passwordSecret.key "flag" "prometheus-password-file") }}{{ end }}
{{- if .caSecret.name }}{{ $mounts = append $mounts (dict "name" "prometheus-ca" "secret" .caSecret.name "key" .caSecret.key "flag" "prometheus-ca-file") }}{{ end }}
{{- end }}
{{- else if eq $backend "redis" }}
{{- if .Values.redis.bundled.enabled }}
{{- $mounts = append $mounts (dict "name" "redis-password" "secret" (printf "%s-redis" (include "metrics-adapter.fullname" .)) "key" "password" "flag" "redis-password-file") }}
{{- else if .Values.redis.passwordSecret.name }}
{{- $mounts = append $mounts (dict "name" "redis-password" "secret" .Values.redis.passwordSecret.name "key" .Values.redis.passwordSecret.key "flag" "redis-password-file") }}
{{- end }}
{{- if .Values.redis.sentinelPasswordSecret.name }}
{{- $mounts = append $mounts (dict "name" "redis-sentinel-password" "secret" .Values.redis.sentinelPasswordSecret.name "key" .Values.redis.sentinelPasswordSecret.key "flag" "redis-sentinel-password-file") }}
{{- end }}
{{- if .Values.redis.caSecret.name }}
{{- $mounts = append $mounts (dict "name" "redis-ca" "secret" .Values.redis.caSecret.name "key" .Values.redis.caSecret.key "flag" "redis-ca-file") }}
{{- end }}
{{- else if eq $backend "sysdig" }}
{{- if .Values.sysdig.existingSecret }}
{{- $mounts = append $mounts (dict "name" "sysdig-token" "secret" .Values.sysdig.existingSecret "key" .Values.sysdig.secretKey "flag" "sysdig-token-file") }}
{{- end }}
{{- if .Values.sysdig.caSecret.name }}
{{- $mounts = append $mounts (dict "name" "sysdig-ca" "secret" .Values.sysdig.caSecret.name "key" .Values.sysdig.caSecret.key "flag" "sysdig-ca-file") }}
{{- end }}
{{- else if eq $backend "forward" }}
{{- if .Values.forward.tokenSecret.name }}
{{- $mounts = append $mounts (dict "name" "forward-token" "secret" .Values.forward.tokenSecret.name "key" .Values.forward.tokenSecret.key "flag" "forward-token-file") }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson $mounts }}
{{- end }}

{{/* The Lease that picks the replica writing MetricQuery statuses. */}}
{{- define "metrics-adapter.metricQueryLease" -}}
{{- .Values.metricQueries.leaderElection.leaseName | default (printf "%s-metric-queries" (include "metrics-adapter.fullname" .)) }}
{{- end }}

{{/* The arguments of `serve`: one per line, each a YAML list item. */}}
{{- define "metrics-adapter.args" -}}
{{- $backend := include "metrics-adapter.backend" . -}}
- serve
- --secure-port={{ .Values.listenPort }}
- --bind-address=0.0.0.0
- --tls-cert-file=/var/run/serving-cert/tls.crt
- --tls-private-key-file=/var/run/serving-cert/tls.key
- --cert-dir=/tmp/certs
- --log-format={{ .Values.logFormat }}
- --v={{ .Values.logLevel }}
{{- if .Values.rules.existing }}
- --config=/etc/metrics-adapter-rules/config.yaml
{{- else if include "metrics-adapter.configFile" . }}
- --config=/etc/metrics-adapter/config.yaml
{{- end }}
{{- with .Values.metricTTL }}
- --metric-ttl={{ . }}
{{- end }}
{{- if not .Values.metricQueries.enabled }}
- --metric-queries=false
{{- else if .Values.metricQueries.leaderElection.enabled }}
- --metric-query-lease-name={{ include "metrics-adapter.metricQueryLease" . }}
- --metric-query-lease-namespace={{ include "metrics-adapter.namespace" . }}
{{- with .Values.metricQueries.leaderElection.leaseDuration }}
- --metric-query-lease-duration={{ . }}
{{- end }}
{{- with .Values.metricQueries.leaderElection.renewDeadline }}
- --metric-query-renew-deadline={{ . }}
{{- end }}
{{- with .Values.metricQueries.leaderElection.retryPeriod }}
- --metric-query-retry-period={{ . }}
{{- end }}
{{- else }}
- --metric-query-leader-elect=false
{{- end }}
{{- if not (include "metrics-adapter.routing" .) }}
- --backend={{ $backend }}
{{- if eq $backend "prometheus" }}
- --prometheus-url={{ tpl .Values.prometheus.url . }}{{ if .Values.prometheus.port }}:{{ .Values.prometheus.port }}{{ end }}{{ .Values.prometheus.path }}
{{- if .Values.rules.default }}
- --default-rules
{{- end }}
{{- with .Values.metricsRelistInterval }}
- --metrics-relist-interval={{ . }}
{{- end }}
{{- with .Values.prometheus.timeout }}
- --prometheus-timeout={{ . }}
{{- end }}
{{- with .Values.prometheus.auth.username }}
- --prometheus-username={{ . }}
{{- end }}
{{- if .Values.prometheus.auth.insecureSkipTLSVerify }}
- --prometheus-insecure-skip-tls-verify
{{- end }}
{{- else if eq $backend "redis" }}
{{- if and .Values.redis.sentinels .Values.redis.cluster }}
{{- fail "redis.sentinels and redis.cluster exclude each other: a Redis Cluster fails over by itself" }}
{{- end }}
{{- if or .Values.redis.sentinels .Values.redis.cluster }}
{{- with .Values.redis.url }}
- --redis-url={{ . }}
{{- end }}
{{- with .Values.redis.sentinels }}
- --redis-sentinels={{ join "," . }}
- --redis-sentinel-master={{ required "redis.sentinelMaster is required with redis.sentinels" $.Values.redis.sentinelMaster }}
{{- end }}
{{- with .Values.redis.cluster }}
- --redis-cluster={{ join "," . }}
{{- end }}
{{- else }}
- --redis-url={{ include "metrics-adapter.redisUrl" . }}
{{- end }}
{{- with .Values.redis.minReplicasToAck }}
- --redis-min-replicas-to-ack={{ . }}
{{- end }}
{{- with .Values.redis.replicaAckTimeout }}
- --redis-replica-ack-timeout={{ . }}
{{- end }}
{{- with .Values.redis.maxStaleness }}
- --max-staleness={{ . }}
{{- end }}
{{- else if eq $backend "sysdig" }}
{{- with .Values.sysdig.url }}
- --sysdig-url={{ . }}
{{- end }}
{{- with .Values.sysdig.clusterName }}
- --sysdig-cluster-name={{ . }}
{{- end }}
{{- else if eq $backend "forward" }}
- --forward-url={{ required "forward.url is required with backend: forward" .Values.forward.url }}
{{- if .Values.forward.caBundle }}
- --forward-ca-file=/etc/metrics-adapter/forward-ca.crt
{{- end }}
{{- if .Values.forward.serviceAccountToken }}
- --forward-token-file=/var/run/secrets/kubernetes.io/serviceaccount/token
{{- end }}
{{- end }}
{{- range include "metrics-adapter.secretMounts" . | fromJsonArray }}
- --{{ .flag }}=/var/run/secrets/metrics-adapter/{{ .name }}/{{ .key }}
{{- end }}
{{- end }}
{{- with .Values.extraArguments }}
{{ toYaml . }}
{{- end }}
{{- end }}
