# A Packer snippet: run the readiness gate against the build VM before the image is captured.
# Put this provisioner in your `build` block after the last one that changes Windows and before
# the one that generalizes it (sysprep), which ends WinRM. The gate runs on the machine that runs
# Packer, from a checkout of this project (READINESS_CHECKOUT), reaches the VM over the WinRM
# communicator's own address, port, user and password (Packer's contextual variables build.Host,
# build.Port, build.User, build.Password), and fails the build when a rule is Failed.
# The URL below is HTTPS with the certificate verified (--winrm-ca-trust names its CA). A builder
# whose communicator uses a self-signed certificate (winrm_insecure = true) needs
# "?no_verify_ssl=true" on the URL and --allow-insecure-transport; one with winrm_use_ssl = false,
# "?no_ssl=true" (NTLM then encrypts each message).
#
#   variable "readiness_checkout" { type = string }   # path of the checkout, with .venv installed
#   variable "automation_location" { type = string }  # e.g. japaneast

build {
  sources = ["source.azure-arm.windows"]

  # ... the provisioners that install and configure the image ...

  provisioner "shell-local" {
    environment_vars = [
      "READINESS_WINRM_PASSWORD=${build.Password}",
    ]
    inline = [
      "cd '${var.readiness_checkout}'",
      ".venv/bin/pytest --hosts='winrm://${build.User}@${build.Host}:${build.Port}' --automation-account-location='${var.automation_location}' --wait-for-hosts 600 --readiness-waivers fleet/waivers.yaml --readiness-json reports/image.json --junitxml reports/image.xml --html reports/image.html --self-contained-html",
    ]
  }

  # ... then generalize (sysprep) and capture ...
}
