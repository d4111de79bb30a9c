{{/* vim: set filetype=mustache: */}}
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
Call with (dict "root" $ "values" .Values.<component>).
*/}}
{{- define "mxgate.componentFullname" -}}
{{- printf "%s-%s" (include "mxgate.fullname" .root) .values.name | trunc 63 | trimSuffix "-" -}}
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
Labels of one component's objects. Call with (dict "root" $ "values" .Values.<component>).
*/}}
{{- define "mxgate.componentLabels" -}}
{{ include "mxgate.labels" .root }}
app.kubernetes.io/component: {{ .values.name }}
{{- end -}}

{{/*
Selector labels of one component. Call with (dict "root" $ "values" .Values.<component>).
*/}}
{{- define "mxgate.componentSelectorLabels" -}}
{{ include "mxgate.selectorLabels" .root }}
app.kubernetes.io/component: {{ .values.name }}
{{- end -}}

{{/*
Image reference of one component: <registry>/<image>:<tag>[@<digest>].
The registry defaults to global.image.registry, the tag to the chart's appVersion.
Call with (dict "root" $ "image" .Values.<component>.image).
*/}}
{{- define "mxgate.image" -}}
{{- $registry := .image.registry | default .root.Values.global.image.registry -}}
{{- $tag := .image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/" $registry -}}
{{- end -}}
{{- printf "%s:%s" .image.image (toString $tag) -}}
{{- if .image.digest -}}
{{- printf "@%s" .image.digest -}}
{{- end -}}
{{- end -}}

{{/*
The container port every service serves health (/q/health) and metrics (/q/metrics) on (QUARKUS_HTTP_PORT).
*/}}
{{- define "mxgate.httpPort" -}}
8080
{{- end -}}

{{/*
Environment shared by every service: the mxgate.* settings from values (mxgate.kafka.bootstrap-servers is
MXGATE_KAFKA_BOOTSTRAP_SERVERS, and so on) and Quarkus' HTTP listener on all interfaces.
*/}}
{{- define "mxgate.env" -}}
- name: MXGATE_KAFKA_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required" .Values.kafka.bootstrapServers | quote }}
- name: MXGATE_KAFKA_REPLICATION_FACTOR
  value: {{ .Values.kafka.replicationFactor | int | quote }}
{{- if .Values.redis.url }}
- name: MXGATE_REDIS_URL
  value: {{ .Values.redis.url | quote }}
{{- end }}
- name: MXGATE_MYHOSTNAME
  value: {{ required "myhostname is required" .Values.myhostname | quote }}
- name: MXGATE_VIRTUAL_TRANSPORT
  value: {{ .Values.virtualTransport | quote }}
- name: MXGATE_VIRTUAL_MAILBOX_DOMAINS
  value: {{ .Values.virtualMailboxDomains | quote }}
{{- if .Values.relayDomains }}
- name: MXGATE_RELAY_DOMAINS
  value: {{ .Values.relayDomains | quote }}
{{- end }}
- name: MXGATE_MESSAGE_SIZE_LIMIT
  value: {{ .Values.messageSizeLimit | int64 | quote }}
- name: QUARKUS_HTTP_HOST
  value: "0.0.0.0"
- name: QUARKUS_HTTP_PORT
  value: {{ include "mxgate.httpPort" . | quote }}
{{- if .Values.javaToolOptions }}
- name: JAVA_TOOL_OPTIONS
  value: {{ .Values.javaToolOptions | quote }}
{{- end }}
{{- end -}}

{{/*
The pod template spec shared by every component's Deployment.
Call with (dict "root" $ "values" .Values.<component> "ports" <extra container ports> "env" <extra EnvVars>);
"ports" and "env" are optional YAML lists as text (smtp-ingress adds its SMTP listener).
*/}}
{{- define "mxgate.podSpec" -}}
{{- $root := .root -}}
{{- $values := .values -}}
automountServiceAccountToken: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
{{- with $root.Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: {{ $values.name }}
    image: {{ include "mxgate.image" (dict "root" $root "image" $values.image) | quote }}
    imagePullPolicy: {{ $values.image.pullPolicy }}
    env:
      {{- include "mxgate.env" $root | nindent 6 }}
      {{- with .env }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with $root.Values.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      {{- with $values.extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    ports:
      {{- with .ports }}
      {{- . | nindent 6 }}
      {{- end }}
      - name: http
        containerPort: {{ include "mxgate.httpPort" $root }}
        protocol: TCP
    livenessProbe:
      httpGet:
        path: /q/health/live
        port: http
      {{- toYaml $root.Values.livenessProbe | nindent 6 }}
    readinessProbe:
      httpGet:
        path: /q/health/ready
        port: http
      {{- toYaml $root.Values.readinessProbe | nindent 6 }}
    {{- with $values.resources }}
    resources:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $root.Values.containerSecurityContext }}
    securityContext:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    volumeMounts:
      # readOnlyRootFilesystem: the JVM, Vert.x and the Kafka client write their temporary files here
      - name: tmp
        mountPath: /tmp
volumes:
  - name: tmp
    emptyDir: {}
{{- with $values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The ClusterIP Service of one component's http port (health and metrics).
Call with (dict "root" $ "values" .Values.<component>).
*/}}
{{- define "mxgate.httpService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ printf "%s-http" (include "mxgate.componentFullname" .) | trunc 63 | trimSuffix "-" }}
  labels:
    {{- include "mxgate.componentLabels" . | nindent 4 }}
  {{- with .root.Values.httpService.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: ClusterIP
  ports:
    - name: http
      port: {{ .root.Values.httpService.port }}
      targetPort: http
      protocol: TCP
  selector:
    {{- include "mxgate.componentSelectorLabels" . | nindent 4 }}
{{- end -}}
