"""tier0 export tool: Hugging Face / ONNX models -> tier0 model directories (see ../README.md)."""
