{
  "targets": [
    {
      "target_name": "hetmtl_native",
      "sources": ["native/addon.cc", "native/gemm.cc", "native/elementwise.cc", "native/cpu.cc", "native/float64.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wno-unused-function"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-ldl"] }],
        ["target_arch=='x64' and OS!='win'", { "cflags_cc": ["-march=x86-64-v2", "-mtune=generic"] }],
        ["OS=='mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "GCC_OPTIMIZATION_LEVEL": "3",
            "OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno"],
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }],
        ["OS=='win'", { "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/O2"] } } }]
      ]
    }
  ]
}
