{{- define "cairn.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "cairn.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "cairn.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cairn.secretName" -}}
{{- .Values.existingSecret | default (include "cairn.fullname" .) -}}
{{- end -}}

{{- define "cairn.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The server's drive arguments: one path standalone; MinIO-style ellipses distributed. */}}
{{- define "cairn.volumes" -}}
{{- if eq .Values.mode "distributed" -}}
{{- $name := include "cairn.fullname" . -}}
{{- $drives := ternary "/data" (printf "/data{0...%d}" (sub (int .Values.drivesPerNode) 1)) (eq (int .Values.drivesPerNode) 1) -}}
http://{{ $name }}-{0...{{ sub (int .Values.replicas) 1 }}}.{{ $name }}-hl.{{ .Release.Namespace }}.svc.cluster.local:{{ .Values.service.port }}{{ $drives }}
{{- else -}}
/data
{{- end -}}
{{- end -}}

{{- define "cairn.container" -}}
- name: cairn
  image: {{ include "cairn.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["server", "--address", ":{{ .Values.service.port }}", "--console-address", ":{{ .Values.consoleService.port }}", {{ include "cairn.volumes" . | quote }}]
  env:
    - name: CAIRN_ROOT_USER
      valueFrom: { secretKeyRef: { name: {{ include "cairn.secretName" . }}, key: rootUser } }
    - name: CAIRN_ROOT_PASSWORD
      valueFrom: { secretKeyRef: { name: {{ include "cairn.secretName" . }}, key: rootPassword } }
    {{- with .Values.storageClassStandard }}
    - name: CAIRN_STORAGE_CLASS_STANDARD
      value: {{ . | quote }}
    {{- end }}
    {{- with .Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - { name: s3, containerPort: {{ .Values.service.port }} }
    - { name: console, containerPort: {{ .Values.consoleService.port }} }
  livenessProbe:
    httpGet: { path: /minio/health/live, port: s3 }
    {{- toYaml .Values.livenessProbe | nindent 4 }}
  readinessProbe:
    httpGet: { path: /minio/health/ready, port: s3 }
    {{- toYaml .Values.readinessProbe | nindent 4 }}
  resources:
    {{- toYaml .Values.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - { name: tmp, mountPath: /tmp }
    {{- if and (eq .Values.mode "distributed") (gt (int .Values.drivesPerNode) 1) }}
    {{- range $i := until (int .Values.drivesPerNode) }}
    - { name: data{{ $i }}, mountPath: /data{{ $i }} }
    {{- end }}
    {{- else }}
    - { name: data, mountPath: /data }
    {{- end }}
{{- end -}}
