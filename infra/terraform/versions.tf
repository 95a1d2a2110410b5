terraform {
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100.0 is the version of the offline mirror the tests run against; 6.x changes resources.
      version = ">= 5.60.0, < 6.0.0"
    }
  }

  # Remote state: keep it in S3 with native locking. The backend takes no variables, so give the
  # values at init time (docs/deploy.md):
  #   terraform init -backend-config=backend.hcl      (copy backend.hcl.example to backend.hcl)
  # Uncomment this block for that; leave it commented for local state or `init -backend=false`.
  # backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = local.tags
  }
}
