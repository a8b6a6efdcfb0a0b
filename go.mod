module github.com/pyrace/pyrace

go 1.26.8
