{{/* vim: set filetype=mustache: */}}
{{/*
What the components share: names, labels, the settings and volumes several read, the probes, NetworkPolicy rules,
and the HPA, PodDisruptionBudget, ServiceMonitor and http Service, alike for every component. Each component's
Deployment and NetworkPolicy are written out in <component>-<kind>.yaml; its templates call these with
  (dict "root" $ "key" "<values key>" "values" .Values.<values key>)
where <values key> (smtpIngress, verifier, queueWorker, lmtpDelivery) appears in error messages and picks the
component's hostNetwork.httpPorts entry, and .values.name names its objects.
*/}}

{{/*
Expand the name of the chart.
*/}}
{{- define "mxgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "mxgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
*/}}
{{- define "mxgate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Fully qualified name of one component: <fullname>-<component name>.
*/}}
{{- define "mxgate.componentFullname" -}}
{{- printf "%s-%s" (include "mxgate.fullname" .root) .values.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Name of a component's ClusterIP Service for its http port: <fullname>-<component name>-http.
*/}}
{{- define "mxgate.httpServiceName" -}}
{{- printf "%s-http" (include "mxgate.componentFullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Common labels
*/}}
{{- define "mxgate.labels" -}}
helm.sh/chart: {{ include "mxgate.chart" . }}
{{ include "mxgate.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/part-of: {{ template "mxgate.name" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- if .Values.commonLabels }}
{{ toYaml .Values.commonLabels }}
{{- end }}
{{- end -}}

{{/*
Selector labels
*/}}
{{- define "mxgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mxgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
Labels of one component's objects.
*/}}
{{- define "mxgate.componentLabels" -}}
{{ include "mxgate.labels" .root }}
app.kubernetes.io/component: {{ .values.name }}
{{- end -}}

{{/*
Selector labels of one component.
*/}}
{{- define "mxgate.componentSelectorLabels" -}}
{{ include "mxgate.selectorLabels" .root }}
app.kubernetes.io/component: {{ .values.name }}
{{- end -}}

{{/*
Image reference of one component: <registry>/<image>:<tag>[@<digest>].
The registry defaults to global.image.registry, the tag to the chart's appVersion.
*/}}
{{- define "mxgate.image" -}}
{{- $registry := .values.image.registry | default .root.Values.global.image.registry -}}
{{- $tag := .values.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/" $registry -}}
{{- end -}}
{{- printf "%s:%s" .values.image.image (toString $tag) -}}
{{- if .values.image.digest -}}
{{- printf "@%s" .values.image.digest -}}
{{- end -}}
{{- end -}}

{{/*
The container port one component serves its API, health (/q/health) and metrics (/q/metrics) on
(QUARKUS_HTTP_PORT): 8080, or with hostNetwork, where the pods share one network namespace, its own
hostNetwork.httpPorts entry.
*/}}
{{- define "mxgate.httpPort" -}}
{{- if .root.Values.hostNetwork.enabled -}}
{{- include "mxgate.envText" (required (printf "hostNetwork.httpPorts.%s is required with hostNetwork.enabled" .key) (index .root.Values.hostNetwork.httpPorts .key)) -}}
{{- else -}}
8080
{{- end -}}
{{- end -}}

{{/*
The address every listener binds: all of the pod's own, or with hostNetwork only hostNetwork.address.
*/}}
{{- define "mxgate.bindAddress" -}}
{{- if .Values.hostNetwork.enabled -}}
{{- required "hostNetwork.address is required with hostNetwork.enabled" .Values.hostNetwork.address -}}
{{- else -}}
0.0.0.0
{{- end -}}
{{- end -}}

{{/*
Where tables (`tables`) and the TLS Secret are mounted.
*/}}
{{- define "mxgate.tablesDir" -}}
/etc/mxgate/tables
{{- end -}}
{{- define "mxgate.tlsDir" -}}
/etc/mxgate/tls
{{- end -}}
{{- define "mxgate.kafkaCaDir" -}}
/etc/mxgate/kafka/ca
{{- end -}}
{{- define "mxgate.kafkaUserDir" -}}
/etc/mxgate/kafka/user
{{- end -}}
{{- define "mxgate.sqlDir" -}}
/etc/mxgate/sql
{{- end -}}
{{- define "mxgate.redisTlsDir" -}}
/etc/mxgate/redis-tls
{{- end -}}

{{/*
The ConfigMap mounted at /etc/mxgate/tables, or nothing when there are no tables.
*/}}
{{- define "mxgate.tablesConfigMap" -}}
{{- if .Values.tablesExistingConfigMap -}}
{{- .Values.tablesExistingConfigMap -}}
{{- else if .Values.tables -}}
{{- printf "%s-tables" (include "mxgate.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The ConfigMap of the SQL tables' .cf files (`sqlTables`), or nothing when there are none.
*/}}
{{- define "mxgate.sqlTablesConfigMap" -}}
{{- if .Values.sqlTables -}}
{{- printf "%s-sql-tables" (include "mxgate.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
Where the password of a SQL table is mounted: <sqlDir>/password/<Secret name>/<key>.
Call with (dict "root" $ "secret" .passwordSecret).
*/}}
{{- define "mxgate.sqlPasswordFile" -}}
{{- printf "%s/password/%s/%s" (include "mxgate.sqlDir" .root) .secret.name .secret.key -}}
{{- end -}}

{{/*
One SQL table's .cf file: its parameters as "name = value" lines (sorted), then password_file when the password
comes from a Secret. A password inline would end up in a ConfigMap: rendering fails instead.
Call with (dict "root" $ "file" <file name> "table" <its sqlTables entry>).
*/}}
{{- define "mxgate.sqlTableFile" -}}
{{- $parameters := .table.parameters | default dict -}}
{{- range $name := list "password" "password_file" -}}
{{- if hasKey $parameters $name -}}
{{- fail (printf "sqlTables.%s.parameters.%s: the password must not be in a ConfigMap; put it in a Secret and name it in passwordSecret" $.file $name) -}}
{{- end -}}
{{- end -}}
{{- range $name, $value := $parameters }}
{{ $name }} = {{ include "mxgate.envText" $value }}
{{- end }}
{{- with .table.passwordSecret }}
password_file = {{ include "mxgate.sqlPasswordFile" (dict "root" $.root "secret" .) }}
{{- end }}
{{- end -}}

{{/*
The Secrets behind the SQL tables' passwords, as YAML: Secret name to the sorted keys used (each mounted once).
*/}}
{{- define "mxgate.sqlSecrets" -}}
{{- $secrets := dict -}}
{{- range $file, $table := .Values.sqlTables -}}
{{- with $table.passwordSecret -}}
{{- $_ := set $secrets .name (append (get $secrets .name | default list) .key | uniq | sortAlpha) -}}
{{- end -}}
{{- end -}}
{{- toYaml $secrets -}}
{{- end -}}

{{/*
Kafka security (kafka.security): "true" when the protocol uses TLS, or SASL. Call with the root context.
*/}}
{{- define "mxgate.kafkaTls" -}}
{{- if has .Values.kafka.security.protocol (list "SSL" "SASL_SSL") }}true{{ end -}}
{{- end -}}
{{- define "mxgate.kafkaSasl" -}}
{{- if has .Values.kafka.security.protocol (list "SASL_PLAINTEXT" "SASL_SSL") }}true{{ end -}}
{{- end -}}

{{/*
The Kafka security settings of one component that are not secret, into the dict .env; fails on an incomplete set.
*/}}
{{- define "mxgate.kafkaSecurityEnv" -}}
{{- $sec := .root.Values.kafka.security -}}
{{- if ne $sec.protocol "PLAINTEXT" -}}
{{- $_ := set .env "MXGATE_KAFKA_SECURITY_PROTOCOL" $sec.protocol -}}
{{- end -}}
{{- if include "mxgate.kafkaSasl" .root -}}
{{- $_ := set .env "MXGATE_KAFKA_SASL_MECHANISM" (required (printf "kafka.security.sasl.mechanism is required with kafka.security.protocol %s" $sec.protocol) $sec.sasl.mechanism) -}}
{{- $_ := required (printf "kafka.security.sasl.existingSecret: name the Secret with the SASL password (a Strimzi KafkaUser Secret) with kafka.security.protocol %s" $sec.protocol) $sec.sasl.existingSecret -}}
{{- if not $sec.sasl.jaasConfigKey -}}
{{- $_ := set .env "MXGATE_KAFKA_SASL_USERNAME" (required "kafka.security.sasl.username is required unless kafka.security.sasl.jaasConfigKey is set" $sec.sasl.username) -}}
{{- end -}}
{{- end -}}
{{- if include "mxgate.kafkaTls" .root -}}
{{- if $sec.tls.caSecret -}}
{{- $_ := set .env "MXGATE_KAFKA_SSL_TRUSTSTORE_LOCATION" (printf "%s/%s" (include "mxgate.kafkaCaDir" .root) $sec.tls.caKey) -}}
{{- $_ := set .env "MXGATE_KAFKA_SSL_TRUSTSTORE_TYPE" $sec.tls.caType -}}
{{- end -}}
{{- if $sec.tls.keystoreSecret -}}
{{- $_ := set .env "MXGATE_KAFKA_SSL_KEYSTORE_LOCATION" (printf "%s/%s" (include "mxgate.kafkaUserDir" .root) $sec.tls.keystoreKey) -}}
{{- $_ := set .env "MXGATE_KAFKA_SSL_KEYSTORE_TYPE" $sec.tls.keystoreType -}}
{{- end -}}
{{- if not $sec.tls.checkHostname -}}
{{- $_ := set .env "MXGATE_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM" "none" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The Kafka security settings of one component that are secret: EnvVars with secretKeyRef, in YAML.
*/}}
{{- define "mxgate.kafkaSecretEnv" -}}
{{- $sec := .root.Values.kafka.security -}}
{{- $refs := list -}}
{{- if include "mxgate.kafkaSasl" .root -}}
{{- if $sec.sasl.jaasConfigKey -}}
{{- $refs = append $refs (list "MXGATE_KAFKA_SASL_JAAS_CONFIG" $sec.sasl.existingSecret $sec.sasl.jaasConfigKey) -}}
{{- else -}}
{{- $refs = append $refs (list "MXGATE_KAFKA_SASL_PASSWORD" $sec.sasl.existingSecret (required "kafka.security.sasl.passwordKey is required" $sec.sasl.passwordKey)) -}}
{{- end -}}
{{- end -}}
{{- if include "mxgate.kafkaTls" .root -}}
{{- if and $sec.tls.caSecret $sec.tls.caPasswordKey -}}
{{- $refs = append $refs (list "MXGATE_KAFKA_SSL_TRUSTSTORE_PASSWORD" $sec.tls.caSecret $sec.tls.caPasswordKey) -}}
{{- end -}}
{{- if and $sec.tls.keystoreSecret $sec.tls.keystorePasswordKey -}}
{{- $refs = append $refs (list "MXGATE_KAFKA_SSL_KEYSTORE_PASSWORD" $sec.tls.keystoreSecret $sec.tls.keystorePasswordKey) -}}
{{- end -}}
{{- end -}}
{{- range $refs }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 }}
      key: {{ index . 2 | quote }}
{{- end }}
{{- end -}}

{{/*
A value as an environment variable's text. Helm reads numbers in values files as float64, which would print
10240000 as 1.024e+07: whole numbers print as integers.
*/}}
{{- define "mxgate.envText" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/*
MXGATE_<KEY> of a mxgate.* key given without the prefix: upper case, "." and "-" become "_".
*/}}
{{- define "mxgate.envName" -}}
{{- printf "MXGATE_%s" (. | upper | replace "." "_" | replace "-" "_") -}}
{{- end -}}

{{/*
Variables the chart sets from its own values because ports, mounts and NetworkPolicies depend on them: `config`
must not set them.
*/}}
{{- define "mxgate.chartManagedEnv" -}}
{{- list "MXGATE_INET_INTERFACES" "MXGATE_SMTPD_PORT" "MXGATE_SMTPD_PROXY_PORT" "MXGATE_SMTPD_UPSTREAM_PROXY_PROTOCOL" "MXGATE_SMTPD_UPSTREAM_PROXY_TRUSTED_NETWORKS" "MXGATE_SMTPD_TLS_CERT_FILE" "MXGATE_SMTPD_TLS_KEY_FILE" "MXGATE_SMTPD_SASL_AUTH_ENABLE" "MXGATE_SMTPD_SASL_PATH" "MXGATE_SMTPD_DRAIN_TIMEOUT" "MXGATE_VERIFIER_URL" "MXGATE_KAFKA_BOOTSTRAP_SERVERS" "MXGATE_REDIS_URL" "MXGATE_REDIS_PASSWORD" "MXGATE_REDIS_TLS_CA_FILE" "MXGATE_KAFKA_SECURITY_PROTOCOL" "MXGATE_KAFKA_SASL_MECHANISM" "MXGATE_KAFKA_SASL_USERNAME" "MXGATE_KAFKA_SASL_PASSWORD" "MXGATE_KAFKA_SASL_JAAS_CONFIG" "MXGATE_KAFKA_SSL_TRUSTSTORE_LOCATION" "MXGATE_KAFKA_SSL_TRUSTSTORE_TYPE" "MXGATE_KAFKA_SSL_TRUSTSTORE_PASSWORD" "MXGATE_KAFKA_SSL_KEYSTORE_LOCATION" "MXGATE_KAFKA_SSL_KEYSTORE_TYPE" "MXGATE_KAFKA_SSL_KEYSTORE_PASSWORD" "MXGATE_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM" | join " " -}}
{{- end -}}

{{/*
The settings every component reads, into the dict .env; its template adds its own before it calls mxgate.env.
*/}}
{{- define "mxgate.commonEnv" -}}
{{- $V := .root.Values -}}
{{- $env := .env -}}
{{- $_ := set $env "QUARKUS_HTTP_HOST" (include "mxgate.bindAddress" .root) -}}
{{- $_ := set $env "QUARKUS_HTTP_PORT" (include "mxgate.httpPort" .) -}}
{{- if $V.javaToolOptions -}}
{{- $_ := set $env "JAVA_TOOL_OPTIONS" $V.javaToolOptions -}}
{{- end -}}
{{- $_ := set $env "MXGATE_MYHOSTNAME" (required "myhostname is required" $V.myhostname) -}}
{{- $_ := set $env "MXGATE_VIRTUAL_MAILBOX_DOMAINS" $V.virtualMailboxDomains -}}
{{- $_ := set $env "MXGATE_VIRTUAL_TRANSPORT" $V.virtualTransport -}}
{{- if $V.relayDomains -}}
{{- $_ := set $env "MXGATE_RELAY_DOMAINS" $V.relayDomains -}}
{{- end -}}
{{- $_ := set $env "MXGATE_MESSAGE_SIZE_LIMIT" (include "mxgate.envText" $V.messageSizeLimit) -}}
{{- $optional := dict "MXGATE_VIRTUAL_MAILBOX_MAPS" $V.virtualMailboxMaps "MXGATE_VIRTUAL_ALIAS_DOMAINS" $V.virtualAliasDomains "MXGATE_VIRTUAL_ALIAS_MAPS" $V.virtualAliasMaps "MXGATE_SMTPD_REJECT_UNLISTED_RECIPIENT" $V.smtpdRejectUnlistedRecipient -}}
{{- range $name, $value := $optional -}}
{{- if ne (toString $value) "" -}}
{{- $_ := set $env $name (include "mxgate.envText" $value) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The Kafka settings of the components that use Kafka (smtp-ingress, queue-worker, lmtp-delivery), into .env.
*/}}
{{- define "mxgate.kafkaEnv" -}}
{{- $V := .root.Values -}}
{{- $_ := set .env "MXGATE_KAFKA_BOOTSTRAP_SERVERS" (required "kafka.bootstrapServers is required" $V.kafka.bootstrapServers) -}}
{{- $_ := set .env "MXGATE_KAFKA_REPLICATION_FACTOR" (include "mxgate.envText" $V.kafka.replicationFactor) -}}
{{- $_ := set .env "MXGATE_KAFKA_MIN_INSYNC_REPLICAS" (include "mxgate.envText" $V.kafka.minInsyncReplicas) -}}
{{- $_ := set .env "MXGATE_KAFKA_PARTITIONS" (include "mxgate.envText" $V.kafka.partitions) -}}
{{- $_ := set .env "MXGATE_KAFKA_CREATE_TOPICS" (include "mxgate.envText" $V.kafka.createTopics) -}}
{{- include "mxgate.kafkaSecurityEnv" . -}}
{{- end -}}

{{/*
The Redis settings of the components that use Redis (the verifier and queue-worker): into .env the ones that are
not secret, and as EnvVars with secretKeyRef in YAML the ones that are.
*/}}
{{- define "mxgate.redisEnv" -}}
{{- $V := .root.Values -}}
{{- if not $V.redis.existingSecret -}}
{{- $_ := set .env "MXGATE_REDIS_URL" (required "redis.url or redis.existingSecret is required" $V.redis.url) -}}
{{- end -}}
{{- if $V.redis.tls.caExistingSecret -}}
{{- $_ := set .env "MXGATE_REDIS_TLS_CA_FILE" (printf "%s/%s" (include "mxgate.redisTlsDir" .root) $V.redis.tls.caExistingSecretKey) -}}
{{- end -}}
{{- end -}}
{{- define "mxgate.redisSecretEnv" -}}
{{- $V := .root.Values -}}
{{- if $V.redis.existingSecret }}
- name: MXGATE_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $V.redis.existingSecret }}
      key: {{ $V.redis.existingSecretKey }}
{{- end }}
{{- if $V.redis.password.existingSecret }}
- name: MXGATE_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $V.redis.password.existingSecret }}
      key: {{ $V.redis.password.existingSecretKey }}
{{- end }}
{{- end -}}

{{/*
The env list of one component: the settings its template put in .env with `config` and <component>.config on top
(in that order, later wins), sorted by name so that the rendering is stable, then .secretEnv (EnvVars from Secrets,
in YAML), then extraEnv and <component>.extraEnv.
*/}}
{{- define "mxgate.env" -}}
{{- $env := .env -}}
{{- $managed := splitList " " (include "mxgate.chartManagedEnv" .root) -}}
{{- range $source := list (dict "name" "config" "map" .root.Values.config) (dict "name" (printf "%s.config" .key) "map" .values.config) -}}
{{- range $key, $value := $source.map -}}
{{- $name := include "mxgate.envName" $key -}}
{{- if has $name $managed -}}
{{- fail (printf "%s.%s: %s is set by the chart from its own values (see values.yaml), not from config" $source.name $key $name) -}}
{{- end -}}
{{- if kindIs "map" $value -}}
{{- fail (printf "%s.%s: give mxgate.* settings as flat keys (e.g. address-verify.poll-count: 10), not nested maps" $source.name $key) -}}
{{- end -}}
{{- $_ := set $env $name (include "mxgate.envText" $value) -}}
{{- end -}}
{{- end -}}
{{- range $name := keys $env | sortAlpha }}
- name: {{ $name }}
  value: {{ index $env $name | quote }}
{{- end }}
{{- .secretEnv }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The three probes of every container, on Quarkus' health endpoints.
*/}}
{{- define "mxgate.probes" -}}
startupProbe:
  httpGet:
    path: /q/health/started
    port: http
  {{- toYaml .Values.startupProbe | nindent 2 }}
livenessProbe:
  httpGet:
    path: /q/health/live
    port: http
  {{- toYaml .Values.livenessProbe | nindent 2 }}
readinessProbe:
  httpGet:
    path: /q/health/ready
    port: http
  {{- toYaml .Values.readinessProbe | nindent 2 }}
{{- end -}}

{{/*
The tables (`tables`, `sqlTables`) every component reads: its volumeMounts and volumes, in YAML.
*/}}
{{- define "mxgate.tablesMounts" -}}
{{- if include "mxgate.tablesConfigMap" . }}
- name: tables
  mountPath: {{ include "mxgate.tablesDir" . }}
  readOnly: true
{{- end }}
{{- if include "mxgate.sqlTablesConfigMap" . }}
- name: sql-tables
  mountPath: {{ include "mxgate.sqlDir" . }}
  readOnly: true
{{- end }}
{{- end -}}
{{- define "mxgate.tablesVolumes" -}}
{{- with include "mxgate.tablesConfigMap" . }}
# the whole directory, not subPath files: ConfigMap updates then reach the pods, and the services reload
- name: tables
  configMap:
    name: {{ . }}
{{- end }}
{{- with include "mxgate.sqlTablesConfigMap" . }}
# the .cf files and the passwords their password_file names, in one directory (no subPath: updates reach the pods)
- name: sql-tables
  projected:
    # the passwords: readable by the pod's group (fsGroup) only
    defaultMode: 288  # 0440
    sources:
      - configMap:
          name: {{ . }}
      {{- range $secret, $keys := include "mxgate.sqlSecrets" $ | fromYaml }}
      - secret:
          name: {{ $secret }}
          items:
            {{- range $key := $keys }}
            - key: {{ $key }}
              path: {{ printf "password/%s/%s" $secret $key }}
            {{- end }}
      {{- end }}
{{- end }}
{{- end -}}

{{/*
The CA certificate of Redis over TLS (redis.tls.caExistingSecret), for the components that use Redis: its
volumeMounts and volumes, in YAML.
*/}}
{{- define "mxgate.redisTlsMounts" -}}
{{- if .Values.redis.tls.caExistingSecret }}
- name: redis-tls
  mountPath: {{ include "mxgate.redisTlsDir" . }}
  readOnly: true
{{- end }}
{{- end -}}
{{- define "mxgate.redisTlsVolumes" -}}
{{- with .Values.redis.tls.caExistingSecret }}
- name: redis-tls
  secret:
    secretName: {{ . }}
    # the CA certificate alone: a cert-manager Secret also holds a private key the services must not see
    items:
      - key: {{ $.Values.redis.tls.caExistingSecretKey }}
        path: {{ $.Values.redis.tls.caExistingSecretKey }}
{{- end }}
{{- end -}}

{{/*
The Kafka CA and client keystore (kafka.security.tls) with a TLS protocol, for the components that use Kafka: their
volumeMounts and volumes, in YAML.
*/}}
{{- define "mxgate.kafkaTlsMounts" -}}
{{- if include "mxgate.kafkaTls" . }}
{{- if .Values.kafka.security.tls.caSecret }}
- name: kafka-ca
  mountPath: {{ include "mxgate.kafkaCaDir" . }}
  readOnly: true
{{- end }}
{{- if .Values.kafka.security.tls.keystoreSecret }}
- name: kafka-user
  mountPath: {{ include "mxgate.kafkaUserDir" . }}
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}
{{- define "mxgate.kafkaTlsVolumes" -}}
{{- if include "mxgate.kafkaTls" . }}
{{- with .Values.kafka.security.tls.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ . }}
{{- end }}
{{- with .Values.kafka.security.tls.keystoreSecret }}
- name: kafka-user
  secret:
    secretName: {{ . }}
    # the client's private key: readable by the pod's group (fsGroup) only
    defaultMode: 288  # 0440
{{- end }}
{{- end }}
{{- end -}}

{{/*
The ClusterIP Service of one component's http port: its API, health and metrics.
*/}}
{{- define "mxgate.httpService" -}}
{{- $root := .root -}}
{{- $annotations := dict -}}
{{- if $root.Values.metrics.enabled -}}
{{- $_ := set $annotations "prometheus.io/scrape" "true" -}}
{{- $_ := set $annotations "prometheus.io/port" (include "mxgate.httpPort" .) -}}
{{- $_ := set $annotations "prometheus.io/path" "/q/metrics" -}}
{{- end -}}
{{- $annotations = merge (deepCopy ($root.Values.httpService.annotations | default dict)) $annotations -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "mxgate.httpServiceName" . }}
  labels:
    {{- include "mxgate.componentLabels" . | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: ClusterIP
  ports:
    - name: http
      port: {{ $root.Values.httpService.port }}
      targetPort: http
      protocol: TCP
  selector:
    {{- include "mxgate.componentSelectorLabels" . | nindent 4 }}
{{- end -}}

{{/*
The HorizontalPodAutoscaler of one component, when autoscaling.enabled.
*/}}
{{- define "mxgate.hpa" -}}
{{- $a := .values.autoscaling -}}
{{- if $a.enabled -}}
{{- if not (or $a.targetCPUUtilizationPercentage $a.targetMemoryUtilizationPercentage) -}}
{{- fail (printf "%s.autoscaling: set targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" .key) -}}
{{- end -}}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) -}}
{{- fail (printf "%s.autoscaling: minReplicas (%d) is above maxReplicas (%d)" .key (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- end -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "mxgate.componentFullname" . }}
  labels:
    {{- include "mxgate.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "mxgate.componentFullname" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- with $a.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $a.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  {{- with $a.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}

{{/*
The PodDisruptionBudget of one component: only when more than one pod runs (replicaCount, or the HPA's minimum);
with one pod a budget would block every node drain.
*/}}
{{- define "mxgate.pdb" -}}
{{- $v := .values -}}
{{- $pods := ternary $v.autoscaling.minReplicas $v.replicaCount $v.autoscaling.enabled -}}
{{- if gt (int $pods) 1 -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "mxgate.componentFullname" . }}
  labels:
    {{- include "mxgate.componentLabels" . | nindent 4 }}
spec:
  {{- if not (eq (toString $v.podDisruptionBudget.minAvailable) "") }}
  minAvailable: {{ $v.podDisruptionBudget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $v.podDisruptionBudget.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "mxgate.componentSelectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}

{{/*
The ServiceMonitor of one component, when metrics.enabled and metrics.serviceMonitor.enabled.
*/}}
{{- define "mxgate.serviceMonitor" -}}
{{- $root := .root -}}
{{- $sm := $root.Values.metrics.serviceMonitor -}}
{{- if and $root.Values.metrics.enabled $sm.enabled -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "mxgate.componentFullname" . }}
  {{- with $sm.namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- include "mxgate.componentLabels" . | nindent 4 }}
    {{- with $sm.additionalLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- if $sm.namespace }}
  namespaceSelector:
    matchNames:
      - {{ $root.Release.Namespace }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "mxgate.componentSelectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: /q/metrics
      {{- with $sm.interval }}
      interval: {{ . }}
      {{- end }}
      {{- with $sm.scrapeTimeout }}
      scrapeTimeout: {{ . }}
      {{- end }}
      {{- with $sm.relabelings }}
      relabelings:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $sm.metricRelabelings }}
      metricRelabelings:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
{{- end -}}

{{/*
Ports for NetworkPolicy rules, as a list of NetworkPolicyPort in YAML: the explicit list when given, else the
ports named in a list of addresses (host:port, URL host or lmtp:[host]:port, comma- or space-separated), else the
default.
Call with (dict "explicit" <list> "addresses" <text> "default" <port>).
*/}}
{{- define "mxgate.ports" -}}
{{- $ports := list -}}
{{- if .explicit -}}
{{- range .explicit -}}
{{- $ports = append $ports (include "mxgate.envText" .) -}}
{{- end -}}
{{- else -}}
{{- range splitList "," (.addresses | default "" | replace " " ",") -}}
{{- $port := regexFind ":[0-9]+$" (trimSuffix "/" (trim .)) | trimPrefix ":" -}}
{{- if $port -}}
{{- $ports = append $ports $port -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not $ports -}}
{{- $ports = list (toString .default) -}}
{{- end -}}
{{- $result := list -}}
{{- range $ports | uniq -}}
{{- $result = append $result (dict "port" (int .) "protocol" "TCP") -}}
{{- end -}}
{{- toYaml $result -}}
{{- end -}}

{{/*
One NetworkPolicy rule in YAML: its ports and, when the list is not empty, its peers ("from" or "to"; no peers
means any address).
Call with (dict "field" "from"|"to" "peers" <list> "ports" <list of NetworkPolicyPort>).
*/}}
{{- define "mxgate.rule" -}}
{{- $rule := dict "ports" .ports -}}
{{- if .peers -}}
{{- $_ := set $rule .field .peers -}}
{{- end -}}
{{- toYaml $rule -}}
{{- end -}}

{{/*
Fails when metrics are scraped through a NetworkPolicy that does not say from where.
*/}}
{{- define "mxgate.checkNetworkPolicy" -}}
{{- if and .Values.metrics.enabled (not .Values.networkPolicy.metricsFrom) -}}
{{- fail "networkPolicy.metricsFrom: name your Prometheus (e.g. its namespace) when metrics.enabled and networkPolicy.enabled are both on; the http port also serves the services' APIs (the verifier's cache admin), so it is not opened to anyone" -}}
{{- end -}}
{{- end -}}

{{/*
NetworkPolicy rules several components share, each as a YAML list of no or one rule, for concat:
  mxgate.metricsIngress  every http port from networkPolicy.metricsFrom when metrics.enabled
  mxgate.dnsEgress       DNS, for everyone (networkPolicy.dns)
  mxgate.kafkaEgress     Kafka, for smtp-ingress, queue-worker and lmtp-delivery
  mxgate.redisEgress     Redis, for the verifier (the verify cache) and queue-worker (the queue index)
  mxgate.lmtpEgress      Dovecot's LMTP, for lmtp-delivery, queue-worker (retries) and the verifier (probes)
  mxgate.smtpEgress      SMTP, for queue-worker (and the verifier when relayDomains is set)
*/}}
{{- define "mxgate.metricsIngress" -}}
{{- $rules := list -}}
{{- if .Values.metrics.enabled -}}
{{- $rules = append $rules (include "mxgate.rule" (dict "field" "from" "peers" .Values.networkPolicy.metricsFrom "ports" (list (dict "port" "http" "protocol" "TCP"))) | fromYaml) -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}
{{- define "mxgate.dnsEgress" -}}
{{- $rules := list -}}
{{- $np := .Values.networkPolicy -}}
{{- if $np.dns.enabled -}}
{{- $dns := list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" "TCP") -}}
{{- $rules = append $rules (include "mxgate.rule" (dict "field" "to" "peers" $np.dns.to "ports" $dns) | fromYaml) -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}
{{- define "mxgate.kafkaEgress" -}}
{{- $np := .Values.networkPolicy -}}
{{- $ports := include "mxgate.ports" (dict "explicit" $np.kafka.ports "addresses" .Values.kafka.bootstrapServers "default" 9092) | fromYamlArray -}}
{{- toYaml (list (include "mxgate.rule" (dict "field" "to" "peers" $np.kafka.to "ports" $ports) | fromYaml)) -}}
{{- end -}}
{{- define "mxgate.redisEgress" -}}
{{- $np := .Values.networkPolicy -}}
{{- $address := "" -}}
{{- if not .Values.redis.existingSecret -}}
{{- $address = (urlParse (.Values.redis.url | default "redis://localhost")).host -}}
{{- end -}}
{{- $ports := include "mxgate.ports" (dict "explicit" $np.redis.ports "addresses" $address "default" 6379) | fromYamlArray -}}
{{- toYaml (list (include "mxgate.rule" (dict "field" "to" "peers" $np.redis.to "ports" $ports) | fromYaml)) -}}
{{- end -}}
{{- define "mxgate.lmtpEgress" -}}
{{- $np := .Values.networkPolicy -}}
{{- $ports := include "mxgate.ports" (dict "explicit" $np.dovecot.lmtpPorts "addresses" .Values.virtualTransport "default" 24) | fromYamlArray -}}
{{- toYaml (list (include "mxgate.rule" (dict "field" "to" "peers" $np.dovecot.to "ports" $ports) | fromYaml)) -}}
{{- end -}}
{{- define "mxgate.smtpEgress" -}}
{{- $np := .Values.networkPolicy -}}
{{- $ports := include "mxgate.ports" (dict "explicit" $np.smtp.ports "default" 25) | fromYamlArray -}}
{{- toYaml (list (include "mxgate.rule" (dict "field" "to" "peers" $np.smtp.to "ports" $ports) | fromYaml)) -}}
{{- end -}}
