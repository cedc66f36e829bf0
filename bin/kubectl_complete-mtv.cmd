@echo off
rem kubectl completes `kubectl mtv ...` by running kubectl_complete-mtv; kubectl-mtv answers (cobra __complete).
"%~dp0kubectl-mtv.exe" __complete -- %*
