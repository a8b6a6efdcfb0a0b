package python

// ParseFile decodes and parses one Python source file. It never panics and
// always returns a File whose Module holds every statement that parsed.
func ParseFile(filename string, src []byte) *File {
	return &File{Filename: filename, Module: &Module{}, Encoding: "utf-8",
		Errors: []*Error{{Filename: filename, Line: 1, Msg: "parser not implemented yet"}}}
}
