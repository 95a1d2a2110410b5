variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "buddyhelps"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix: 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (prod, staging, ...), part of every resource name."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment: 2-10 lowercase letters or digits, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region of the edge."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}

# --- Lambda ------------------------------------------------------------------------------------

variable "lambda_zip_path" {
  description = "The zip built by `make package` (scripts/package_lambda.py), relative to this folder or absolute."
  type        = string
  default     = "../../build/lambda.zip"
}

variable "lambda_architecture" {
  description = "Lambda architecture; must match `package_lambda.py --arch`."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of each function (more memory also means more CPU, so faster cold starts)."
  type        = number
  default     = 1024

  validation {
    condition     = var.lambda_memory_mb >= 256 && var.lambda_memory_mb <= 10240
    error_message = "lambda_memory_mb must be between 256 and 10240."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of each function; -1 leaves them on the account's unreserved pool."
  type        = number
  default     = -1
}

variable "tracing_mode" {
  description = "X-Ray tracing of the functions: Active or PassThrough."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "log_level" {
  description = "BUDDYHELPS_LOG_LEVEL of the functions."
  type        = string
  default     = "INFO"
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups (logs hold call metadata with masked numbers)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

# --- Application settings (not secret) ----------------------------------------------------------

variable "public_base_url" {
  description = "Public URL Twilio calls (a custom domain mapped to the API). Empty: the API's own endpoint."
  type        = string
  default     = ""

  validation {
    condition     = var.public_base_url == "" || can(regex("^https://[^/]+(/.*[^/])?$", var.public_base_url))
    error_message = "public_base_url must be https://host[/path] without a trailing slash, or empty."
  }
}

variable "twilio_account_sid" {
  description = "Twilio account SID (AC...). Not a secret; the auth token goes in the secret."
  type        = string

  validation {
    condition     = can(regex("^AC[0-9a-f]{32}$", var.twilio_account_sid))
    error_message = "twilio_account_sid must look like AC followed by 32 hex digits."
  }
}

variable "twilio_sms_from" {
  description = "The Twilio number (E.164) SMS are sent from."
  type        = string

  validation {
    condition     = can(regex("^\\+[1-9][0-9]{6,14}$", var.twilio_sms_from))
    error_message = "twilio_sms_from must be an E.164 number such as +15551234567."
  }
}

variable "send_sms" {
  description = "Send real SMS through Twilio (false: notifications are only recorded)."
  type        = bool
  default     = true
}

variable "email_from" {
  description = "Sender of notification emails (a domain verified in Resend)."
  type        = string
}

variable "turso_database_url" {
  description = "libSQL URL of the Turso database (libsql://NAME-ORG.turso.io). Its token goes in the secret."
  type        = string

  validation {
    condition     = can(regex("^(libsql|https|wss)://", var.turso_database_url))
    error_message = "turso_database_url must start with libsql://, https:// or wss://."
  }
}

# --- Storage -------------------------------------------------------------------------------------

variable "photo_retention_days" {
  description = "Days before uploaded photos are deleted."
  type        = number
  default     = 365
}

variable "cors_allowed_origins" {
  description = "Extra browser origins allowed to upload to the bucket (the public base URL is always allowed)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the bucket, secret, logs and Lambda environment. Null: AWS-managed keys."
  type        = string
  default     = null
}

# --- API and alarms ------------------------------------------------------------------------------

variable "api_throttle_burst_limit" {
  description = "Burst limit of the HTTP API's default route settings."
  type        = number
  default     = 200
}

variable "api_throttle_rate_limit" {
  description = "Steady requests per second of the HTTP API's default route settings."
  type        = number
  default     = 100
}

variable "alarm_sns_topic_arn" {
  description = "SNS topic the alarms notify. Empty: a topic is created (subscribe with alarm_email)."
  type        = string
  default     = ""
}

variable "alarm_email" {
  description = "Email subscribed to the created alarm topic (confirm the subscription mail). Empty: none."
  type        = string
  default     = ""
}

variable "alarm_5xx_threshold" {
  description = "API 5xx responses in 5 minutes that raise the alarm."
  type        = number
  default     = 1
}

variable "incoming_call_p99_ms" {
  description = "p99 duration of /incoming-call above which the latency alarm fires (Twilio allows 15 s in all)."
  type        = number
  default     = 5000
}

variable "notification_retry_minutes" {
  description = "How often the scheduled retry sends due notifications (EventBridge rate, minutes)."
  type        = number
  default     = 1

  validation {
    condition     = var.notification_retry_minutes >= 1 && floor(var.notification_retry_minutes) == var.notification_retry_minutes
    error_message = "notification_retry_minutes must be a whole number of minutes, at least 1."
  }
}
