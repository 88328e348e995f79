package presets

import (
	"reflect"
	"testing"
)

// TestNodeBuildOf checks that nodeBuildOf copies every field that
// NodeStaticOptions and NodeBuildOptions share (but Steps, the caller's),
// so that a field the Node presets add reaches the UI of a Go build.
func TestNodeBuildOf(t *testing.T) {
	var n NodeStaticOptions
	nv := reflect.ValueOf(&n).Elem()
	for i := 0; i < nv.NumField(); i++ {
		f := nv.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int:
			f.SetInt(1)
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
			f.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf("v"))
		}
	}
	b := reflect.ValueOf(nodeBuildOf(&n))
	bt := b.Type()
	for i := 0; i < bt.NumField(); i++ {
		name := bt.Field(i).Name
		src := nv.FieldByName(name)
		if !src.IsValid() || name == "Steps" {
			continue
		}
		if !reflect.DeepEqual(src.Interface(), b.Field(i).Interface()) {
			t.Errorf("nodeBuildOf leaves out %s", name)
		}
	}
}
