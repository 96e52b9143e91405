#!/usr/bin/env pwsh
<#
.SYNOPSIS
  Build, test and publish QuantumEdge.
.DESCRIPTION
  build.ps1 [-Task] Build|Test|Publish|Smoke|Bench|All [-Configuration Release] [-Runtime linux-x64]
    Build    restore and build the solution (warnings are errors)
    Test     run every test project
    Publish  publish the native-AOT binary (quantumedge) and the packaging inputs to artifacts/
    Smoke    run .ci/smoke.sh against the published binary (Linux)
    Bench    run the gateway and ledger benchmarks (bench/)
    All      Build, Test, Publish, Smoke
  PowerShell installs as a .NET tool: dotnet tool install --global PowerShell --version 7.6.9
#>
param(
    [ValidateSet('Build', 'Test', 'Publish', 'Smoke', 'Bench', 'All')]
    [string]$Task = 'All',
    [string]$Configuration = 'Release',
    [string]$Runtime = 'linux-x64'
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$artifacts = Join-Path $PSScriptRoot 'artifacts'

function Invoke-Step([string]$Name, [scriptblock]$Body) {
    Write-Host "==> $Name" -ForegroundColor Cyan
    & $Body
    if ($LASTEXITCODE -ne 0) { throw "$Name failed with exit code $LASTEXITCODE" }
}

function Build { Invoke-Step 'build' { dotnet build QuantumEdge.sln -c $Configuration } }

function Test { Invoke-Step 'test' { dotnet test QuantumEdge.sln -c $Configuration } }

function Publish {
    $out = Join-Path $artifacts "aot/$Runtime"
    $log = Join-Path $artifacts 'publish.log'
    New-Item -ItemType Directory -Force -Path $artifacts | Out-Null
    Invoke-Step 'publish (native AOT)' {
        dotnet publish src/QuantumEdge.Node -c Release -r $Runtime -o $out 2>&1 | Tee-Object -FilePath $log
    }
    # Our own code must produce no trim/AOT warning; LiteDB's assembly-level summary is the one known exception.
    $bad = Select-String -Path $log -Pattern 'warning IL\d+' | Where-Object { $_.Line -notmatch "LiteDB.dll : warning IL(2104|3053)" }
    if ($bad) { $bad | ForEach-Object { Write-Host $_.Line -ForegroundColor Red }; throw 'trim/AOT warnings in publish output' }
    Write-Host "published $(Join-Path $out 'quantumedge')"
}

function Smoke {
    Invoke-Step 'smoke (AOT binary)' { bash .ci/smoke.sh (Join-Path $artifacts "aot/$Runtime/quantumedge") }
}

function Bench {
    Invoke-Step 'gateway benchmark' { dotnet run -c Release --project bench/QuantumEdge.Gateway.Benchmarks }
    Invoke-Step 'ledger benchmark' { dotnet run -c Release --project bench/QuantumEdge.Ledger.Benchmarks }
}

switch ($Task) {
    'Build' { Build }
    'Test' { Test }
    'Publish' { Publish }
    'Smoke' { Smoke }
    'Bench' { Bench }
    'All' { Build; Test; Publish; Smoke }
}
