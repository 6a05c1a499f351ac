#!/usr/bin/env bash
# Regenerates Onnx/Proto/Generated/Onnx.cs from Onnx/Proto/onnx.proto with the protoc of the Google.Protobuf.Tools
# package (3.36.2, restored by `dotnet restore Onnx/Onnx.csproj`). The output is checked in; Onnx.Tests checks that it is
# what this script writes.
set -euo pipefail
cd "$(dirname "$0")"
root="${NUGET_PACKAGES:-$HOME/.nuget/packages}/google.protobuf.tools/3.36.2/tools"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) protoc="$root/linux_x64/protoc" ;;
  Linux-aarch64) protoc="$root/linux_aarch64/protoc" ;;
  Darwin-*) protoc="$root/macosx_x64/protoc" ;;
  *) protoc="$root/windows_x64/protoc.exe" ;;
esac
[ -x "$protoc" ] || chmod +x "$protoc"
mkdir -p Generated
"$protoc" --proto_path=. --csharp_out=Generated --csharp_opt=file_extension=.cs onnx.proto
