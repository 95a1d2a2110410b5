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

  # Every blob is under calls/{call_id}/ (photos: calls/{call_id}/photos/...). Voicemail
  # recordings stay with Twilio (the call keeps their URL), so nothing else is stored here.
  rule {
    id     = "expire-call-blobs"
    status = "Enabled"
    filter {
      prefix = "calls/"
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
