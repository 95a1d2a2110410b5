# Photos uploaded by callers and voicemail recordings. Private: every read and write goes through a
# function or a short-lived presigned URL signed by a function's role.

resource "aws_s3_bucket" "blobs" {
  # checkov:skip=CKV_AWS_18: access logging needs a second log bucket; CloudTrail data events are the suggested audit trail (docs/deploy.md)
  # checkov:skip=CKV_AWS_144: cross-region replication doubles cost; photos/recordings are convenience copies, the call record lives in Turso
  # checkov:skip=CKV2_AWS_62: no consumer of S3 event notifications
  bucket_prefix = "${local.name}-blobs-"
  force_destroy = false
}

resource "aws_s3_bucket_ownership_controls" "blobs" {
  bucket = aws_s3_bucket.blobs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "blobs" {
  bucket                  = aws_s3_bucket.blobs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "blobs" {
  bucket = aws_s3_bucket.blobs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn # null: the AWS-managed aws/s3 key
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "blobs" {
  bucket = aws_s3_bucket.blobs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "blobs" {
  bucket = aws_s3_bucket.blobs.id

  # Photos are under calls/photos/. Call recordings (calls/recordings/) are not expired here: each
  # business keeps them for its own retention days, and the hourly recording_retention function deletes
  # them (an S3 rule on calls/ would cut a 2-year retention to photo_retention_days). Voicemail
  # recordings stay with Twilio (the call keeps their URL).
  rule {
    id     = "expire-call-photos"
    status = "Enabled"
    filter {
      prefix = "calls/photos/"
    }
    expiration {
      days = var.photo_retention_days
    }
  }

  rule {
    id     = "cleanup"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
    expiration {
      expired_object_delete_marker = true
    }
  }

  depends_on = [aws_s3_bucket_versioning.blobs]
}

resource "aws_s3_bucket_cors_configuration" "blobs" {
  bucket = aws_s3_bucket.blobs.id

  # Browser uploads from the photo page straight to S3 (presigned PUT or POST).
  cors_rule {
    allowed_methods = ["PUT", "POST", "GET"]
    allowed_origins = distinct(concat([local.public_base_url], var.cors_allowed_origins))
    allowed_headers = ["content-type", "content-md5", "x-amz-*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3000
  }
}

resource "aws_s3_bucket_policy" "blobs" {
  bucket = aws_s3_bucket.blobs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.blobs.arn, "${aws_s3_bucket.blobs.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.blobs]
}

# The GPU worker (RunPod or Modal, outside AWS) uploads each call's stereo recording after the call. It
# gets an IAM user that may only put objects under calls/recordings/. Terraform creates no access key
# (its secret would sit in the state): create one with `aws iam create-access-key --user-name <output
# worker_recordings_user>` and give it to the worker as S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY with
# BLOB_BACKEND=s3, S3_BUCKET and AWS_REGION (docs/deploy.md, "The GPU worker").
resource "aws_iam_user" "worker_recordings" {
  # checkov:skip=CKV_AWS_273: the worker runs outside AWS (RunPod/Modal), so it cannot assume a role through SSO
  name = "${local.name}-worker-recordings"
}

resource "aws_iam_user_policy" "worker_recordings" {
  # checkov:skip=CKV_AWS_40: one narrowly scoped inline policy for one machine user
  name = "put-call-recordings"
  user = aws_iam_user.worker_recordings.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = "${aws_s3_bucket.blobs.arn}/calls/recordings/*"
    }]
  })
}
