//! A place in the page that lies on the data path, a field path, or both,
//! and the shape rules that apply there: the data path must hold an array
//! (or, for `data_selector = "."`, the document an object), a field must
//! hold a scalar its [`Want`] accepts. Pure: a node, the spec,
//! and the token met in, a decision or a [`PageError`] naming the path out.

use super::token::Met;
use super::{Scalar, ScanSpec, Want};
use crate::PageError;

#[derive(Debug, Clone, Copy)]
pub(super) struct Node {
    depth: usize,
    /// The data path goes through (or ends at) this node.
    on_data: bool,
    /// Bit `i`: field `i`'s path goes through (or ends at) this node.
    fields: u32,
}

impl Node {
    /// The document itself. With `data_selector = "."` no array is on the
    /// data path: the document is the record, checked by [`Self::body`].
    pub fn root(spec: &ScanSpec) -> Self {
        Self {
            depth: 0,
            on_data: !spec.whole_body(),
            fields: spec.all_fields(),
        }
    }

    pub fn data_here(&self, spec: &ScanSpec) -> bool {
        self.on_data && spec.data.items().map(|p| p.segments().len()) == Some(self.depth)
    }

    /// A value of kind `found` starts here: when it is the document and the
    /// document is the record, it must be an object.
    pub fn body(&self, spec: &ScanSpec, found: &'static str) -> Result<(), PageError> {
        if self.depth == 0 && spec.whole_body() && found != "an object" {
            return Err(PageError::NotAnObject { found });
        }
        Ok(())
    }

    /// The fields whose path ends here.
    fn fields_here(&self, spec: &ScanSpec) -> u32 {
        let mut here = 0;
        for (i, (path, _)) in spec.fields.iter().enumerate() {
            if self.fields & (1 << i) != 0 && path.segments().len() == self.depth {
                here |= 1 << i;
            }
        }
        here
    }

    /// Member `key` of this object, when some path goes on through it.
    pub fn member(&self, spec: &ScanSpec, key: &str) -> Option<Node> {
        let on = |path: &harvest_config::Selector| {
            path.segments()
                .get(self.depth)
                .is_some_and(|s| s.as_str() == key)
        };
        let on_data = self.on_data && spec.data.items().is_some_and(on);
        let mut fields = 0;
        for (i, (path, _)) in spec.fields.iter().enumerate() {
            if self.fields & (1 << i) != 0 && on(path) {
                fields |= 1 << i;
            }
        }
        (on_data || fields != 0).then_some(Node {
            depth: self.depth + 1,
            on_data,
            fields,
        })
    }

    /// An object met here: fine unless a path ends here.
    pub fn object(&self, spec: &ScanSpec) -> Result<(), PageError> {
        if self.data_here(spec) {
            return Err(not_an_array(spec, "an object"));
        }
        self.no_field_here(spec, "an object")
    }

    /// A container met here, where the data path does not end: fine unless
    /// a field ends here.
    pub fn no_field_here(&self, spec: &ScanSpec, found: &'static str) -> Result<(), PageError> {
        match self.fields_here(spec) {
            0 => Ok(()),
            here => Err(bad_field(spec, here.trailing_zeros() as usize, found)),
        }
    }

    /// A scalar met here: stored into the fields that end here and accept
    /// it, a shape error otherwise.
    pub fn scalar(
        &self,
        spec: &ScanSpec,
        met: Met,
        fields: &mut [Option<Scalar>],
    ) -> Result<(), PageError> {
        self.body(spec, met.found())?;
        if self.data_here(spec) {
            return Err(not_an_array(spec, met.found()));
        }
        let here = self.fields_here(spec);
        for (i, (_, want)) in spec.fields.iter().enumerate() {
            if here & (1 << i) == 0 {
                continue;
            }
            match accept(&met, *want) {
                Some(v) => fields[i] = Some(v),
                None => return Err(bad_field(spec, i, met.found())),
            }
        }
        Ok(())
    }
}

/// What a field wanting `want` keeps of `met`; `None`: a wrong type.
fn accept(met: &Met, want: Want) -> Option<Scalar> {
    match (met, want) {
        // A null field is "not there": a null next link ends the stream.
        (Met::Null, _) => Some(Scalar::Null),
        (Met::Str(s), Want::Link | Want::Token) => Some(Scalar::Str(s.clone())),
        (Met::Str(s), Want::Count) => s.trim().parse::<u64>().ok().map(|_| Scalar::Str(s.clone())),
        (Met::Bool(b), Want::Flag) => Some(Scalar::Bool(*b)),
        (Met::Int(n), Want::Token) => Some(Scalar::Int(*n)),
        (Met::Int(n), Want::Count) if *n >= 0 => Some(Scalar::Int(*n)),
        _ => None,
    }
}

fn not_an_array(spec: &ScanSpec, found: &'static str) -> PageError {
    PageError::NotAnArray {
        path: spec.data.to_string(),
        found,
    }
}

fn bad_field(spec: &ScanSpec, i: usize, found: &'static str) -> PageError {
    let (path, want) = &spec.fields[i];
    let path = path.to_string();
    match want {
        Want::Link => PageError::BadNext { path, found },
        want => PageError::BadField {
            path,
            found,
            want: want.describe(),
        },
    }
}
